#include "compiler/model/program_types.h"

#include <asm/ptrace.h>
#include <linux/bpf.h>

#include <cstddef>

namespace xdpchain::compiler {

namespace {

#define FIELD(S, lisp, member)                                                                     \
  ContextField {                                                                                   \
    lisp, offsetof(S, member), sizeof(((S *)0)->member), false                                     \
  }
#define PACKET(S, lisp, member)                                                                    \
  ContextField {                                                                                   \
    lisp, offsetof(S, member), 4, true                                                             \
  }

std::vector<ContextField> skb_fields() {
  using S = struct __sk_buff;
  return {FIELD(S, "len", len),
          FIELD(S, "pkt-type", pkt_type),
          FIELD(S, "mark", mark),
          FIELD(S, "queue-mapping", queue_mapping),
          FIELD(S, "protocol", protocol),
          FIELD(S, "vlan-present", vlan_present),
          FIELD(S, "vlan-tci", vlan_tci),
          FIELD(S, "vlan-proto", vlan_proto),
          FIELD(S, "priority", priority),
          FIELD(S, "ingress-ifindex", ingress_ifindex),
          FIELD(S, "ifindex", ifindex),
          FIELD(S, "tc-index", tc_index),
          FIELD(S, "hash", hash),
          FIELD(S, "tc-classid", tc_classid),
          PACKET(S, "data", data),
          PACKET(S, "data-end", data_end),
          FIELD(S, "napi-id", napi_id),
          FIELD(S, "family", family),
          FIELD(S, "remote-ip4", remote_ip4),
          FIELD(S, "local-ip4", local_ip4),
          FIELD(S, "remote-port", remote_port),
          FIELD(S, "local-port", local_port),
          PACKET(S, "data-meta", data_meta),
          ContextField{"cb0", offsetof(S, cb), 4, false},
          ContextField{"cb1", offsetof(S, cb) + 4, 4, false},
          ContextField{"cb2", offsetof(S, cb) + 8, 4, false},
          ContextField{"cb3", offsetof(S, cb) + 12, 4, false},
          ContextField{"cb4", offsetof(S, cb) + 16, 4, false}};
}

std::vector<ContextField> xdp_fields() {
  using S = struct xdp_md;
  return {PACKET(S, "data", data),
          PACKET(S, "data-end", data_end),
          PACKET(S, "data-meta", data_meta),
          FIELD(S, "ingress-ifindex", ingress_ifindex),
          FIELD(S, "rx-queue-index", rx_queue_index),
          FIELD(S, "egress-ifindex", egress_ifindex)};
}

std::vector<ContextField> sock_fields() {
  using S = struct bpf_sock;
  return {FIELD(S, "bound-dev-if", bound_dev_if),
          FIELD(S, "family", family),
          FIELD(S, "type", type),
          FIELD(S, "protocol", protocol),
          FIELD(S, "mark", mark),
          FIELD(S, "priority", priority),
          FIELD(S, "src-ip4", src_ip4),
          FIELD(S, "src-port", src_port),
          FIELD(S, "dst-ip4", dst_ip4),
          FIELD(S, "state", state)};
}

std::vector<ContextField> sock_addr_fields() {
  using S = struct bpf_sock_addr;
  return {FIELD(S, "user-family", user_family),
          FIELD(S, "user-ip4", user_ip4),
          FIELD(S, "user-port", user_port),
          FIELD(S, "family", family),
          FIELD(S, "type", type),
          FIELD(S, "protocol", protocol),
          FIELD(S, "msg-src-ip4", msg_src_ip4)};
}

std::vector<ContextField> pt_regs_fields() {
  using S = struct pt_regs;
  return {FIELD(S, "di", rdi), FIELD(S, "si", rsi), FIELD(S, "dx", rdx), FIELD(S, "cx", rcx),
          FIELD(S, "r8", r8),  FIELD(S, "r9", r9),  FIELD(S, "ax", rax), FIELD(S, "ip", rip),
          FIELD(S, "sp", rsp), FIELD(S, "bp", rbp)};
}

#undef FIELD
#undef PACKET

} // namespace

const std::vector<ProgramTypeInfo> &program_types() {
  static const std::vector<ProgramTypeInfo> types = {
      {"xdp", BPF_PROG_TYPE_XDP, "xdp_md", sizeof(struct xdp_md), "xdp", xdp_fields(), XDP_PASS},
      {"socket-filter", BPF_PROG_TYPE_SOCKET_FILTER, "__sk_buff", sizeof(struct __sk_buff),
       "socket", skb_fields(), 0},
      {"tracepoint", BPF_PROG_TYPE_TRACEPOINT, "", 0, "tracepoint", {}, 0},
      {"kprobe", BPF_PROG_TYPE_KPROBE, "pt_regs", sizeof(struct pt_regs), "kprobe",
       pt_regs_fields(), 0},
      {"cgroup-skb", BPF_PROG_TYPE_CGROUP_SKB, "__sk_buff", sizeof(struct __sk_buff),
       "cgroup_skb/ingress", skb_fields(), 1},
      {"cgroup-sock", BPF_PROG_TYPE_CGROUP_SOCK, "bpf_sock", sizeof(struct bpf_sock),
       "cgroup/sock_create", sock_fields(), 1},
      {"cgroup-sock-addr", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, "bpf_sock_addr",
       sizeof(struct bpf_sock_addr), "cgroup/connect4", sock_addr_fields(), 1},
      {"tc", BPF_PROG_TYPE_SCHED_CLS, "__sk_buff", sizeof(struct __sk_buff), "tc", skb_fields(), 0},
  };
  return types;
}

const ProgramTypeInfo *find_program_type(const std::string &keyword) {
  for (const auto &type : program_types())
    if (type.keyword == keyword) return &type;
  return nullptr;
}

const ContextField *find_context_field(const ProgramTypeInfo &type, const std::string &name) {
  for (const auto &field : type.fields)
    if (field.name == name) return &field;
  return nullptr;
}

} // namespace xdpchain::compiler
