/* A multi-buffer aware program (SEC "xdp.frags", loaded with BPF_F_XDP_HAS_FRAGS); drops
 * IPv4 ICMP, passes everything else. */
#include "packet.h"

SEC("xdp.frags")
int xdp_frags_drop_icmp(struct xdp_md *ctx) {
  return is_ipv4_icmp(ctx) ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
