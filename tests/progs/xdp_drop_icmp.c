/* Drops IPv4 ICMP (ping), passes everything else. */
#include "packet.h"

SEC("xdp")
int xdp_drop_icmp(struct xdp_md *ctx) {
  return is_ipv4_icmp(ctx) ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
