/* Drops IPv4 UDP datagrams to port `drop_port` (9999 unless the loader rewrites the
 * constant), passes everything else. */
#include "packet.h"

const volatile __u16 drop_port = 9999;

SEC("xdp")
int xdp_drop_udp_port(struct xdp_md *ctx) {
  struct iphdr *ip = ipv4_header(ctx);
  if (!ip) return XDP_PASS;
  struct udphdr *udp = udp_header(ctx, ip);
  return udp && udp->dest == bpf_htons(drop_port) ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
