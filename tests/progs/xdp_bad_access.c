/* The verifier refuses this program: it reads the EtherType without checking the packet
 * is long enough ("invalid access to packet"). For the tests of a failed `add`. */
#include "packet.h"

SEC("xdp")
int xdp_bad_access(struct xdp_md *ctx) {
  struct ethhdr *eth = (void *)(long)ctx->data;
  return eth->h_proto == bpf_htons(ETH_P_IP) ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
