#include "compiler/fold/builtin_constants.h"

#include <linux/bpf.h>
#include <linux/pkt_cls.h>

#include <map>

namespace xdpchain::compiler {

std::optional<int64_t> builtin_constant(const std::string &name) {
  static const std::map<std::string, int64_t> table = {
      {"xdp_aborted", XDP_ABORTED},
      {"xdp_drop", XDP_DROP},
      {"xdp_pass", XDP_PASS},
      {"xdp_tx", XDP_TX},
      {"xdp_redirect", XDP_REDIRECT},
      {"bpf_any", BPF_ANY},
      {"bpf_noexist", BPF_NOEXIST},
      {"bpf_exist", BPF_EXIST},
      {"bpf_f_lock", BPF_F_LOCK},
      {"tc_act_unspec", TC_ACT_UNSPEC},
      {"tc_act_ok", TC_ACT_OK},
      {"tc_act_reclassify", TC_ACT_RECLASSIFY},
      {"tc_act_shot", TC_ACT_SHOT},
      {"tc_act_pipe", TC_ACT_PIPE},
      {"tc_act_stolen", TC_ACT_STOLEN},
      {"tc_act_queued", TC_ACT_QUEUED},
      {"tc_act_repeat", TC_ACT_REPEAT},
      {"tc_act_redirect", TC_ACT_REDIRECT},
      {"sk_drop", SK_DROP},
      {"sk_pass", SK_PASS},
      {"+ethertype-ipv4+", 0x0800},
      {"+ethertype-ipv6+", 0x86dd},
      {"+ethertype-arp+", 0x0806},
      {"+ethertype-vlan+", 0x8100},
      {"+eth-hdr-len+", 14},
      {"+ipv4-hdr-len+", 20},
      {"+ipv6-hdr-len+", 40},
      {"+tcp-hdr-len+", 20},
      {"+udp-hdr-len+", 8},
      {"+icmp-hdr-len+", 8},
      {"+ip-proto-icmp+", 1},
      {"+ip-proto-tcp+", 6},
      {"+ip-proto-udp+", 17},
      {"+ip-proto-ipv6-icmp+", 58},
      {"+tcp-fin+", 0x01},
      {"+tcp-syn+", 0x02},
      {"+tcp-rst+", 0x04},
      {"+tcp-psh+", 0x08},
      {"+tcp-ack+", 0x10},
      {"+tcp-urg+", 0x20},
  };
  auto it = table.find(name);
  if (it == table.end()) return std::nullopt;
  return it->second;
}

} // namespace xdpchain::compiler
