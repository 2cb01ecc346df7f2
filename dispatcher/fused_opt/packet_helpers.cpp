#include "dispatcher/fused_opt/packet_helpers.h"

namespace xdpchain::dispatcher::fused_opt {

bool helper_changes_packet(int helper_id) {
  switch (helper_id) {
  case BPF_FUNC_xdp_adjust_head:
  case BPF_FUNC_xdp_adjust_meta:
  case BPF_FUNC_xdp_adjust_tail:
  case BPF_FUNC_skb_store_bytes:
  case BPF_FUNC_skb_change_head:
  case BPF_FUNC_skb_change_tail:
  case BPF_FUNC_skb_change_proto:
  case BPF_FUNC_skb_change_type:
  case BPF_FUNC_skb_adjust_room:
  case BPF_FUNC_skb_pull_data:
  case BPF_FUNC_skb_vlan_push:
  case BPF_FUNC_skb_vlan_pop:
  case BPF_FUNC_clone_redirect:
  case BPF_FUNC_l3_csum_replace:
  case BPF_FUNC_l4_csum_replace:
  case BPF_FUNC_msg_pull_data:
  case BPF_FUNC_msg_push_data:
  case BPF_FUNC_msg_pop_data:
  case BPF_FUNC_lwt_push_encap:
  case BPF_FUNC_lwt_seg6_store_bytes:
  case BPF_FUNC_lwt_seg6_adjust_srh:
  case BPF_FUNC_lwt_seg6_action:
  case BPF_FUNC_store_hdr_opt:
    return true;
  default:
    return false;
  }
}

bool may_change_packet(const std::vector<bpf_insn> &insns) {
  for (const bpf_insn &insn : insns) {
    if (insn.code != (BPF_JMP | BPF_CALL)) continue;
    if (insn.src_reg == BPF_PSEUDO_KFUNC_CALL) return true;
    if (insn.src_reg == 0 && helper_changes_packet(insn.imm)) return true;
  }
  return false;
}

} // namespace xdpchain::dispatcher::fused_opt
