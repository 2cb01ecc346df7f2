/* A member that makes its own tail call: tail_main (SEC "xdp") tail-calls slot 0 of its own
 * prog array, which libbpf fills at load time with tail_target (SEC "xdp/tail_target"). The
 * target drops IPv4 ICMP and passes the rest; when the tail call fails (empty slot),
 * tail_main passes everything. So a ping that is dropped proves the tail call ran. */
#include "packet.h"

int tail_target(struct xdp_md *ctx);

struct {
  __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __array(values, int(struct xdp_md *));
} tail_jumps SEC(".maps") = {
    .values = {[0] = (void *)&tail_target},
};

SEC("xdp/tail_target")
int tail_target(struct xdp_md *ctx) {
  return is_ipv4_icmp(ctx) ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int tail_main(struct xdp_md *ctx) {
  bpf_tail_call(ctx, &tail_jumps, 0);
  return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
