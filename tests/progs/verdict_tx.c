/* Returns XDP_TX for every packet, whatever it is. For the continue-set tests: run it
 * with BPF_PROG_TEST_RUN, or in a chain where a later member decides. On a real interface
 * XDP_TX bounces the frame back out of the interface it came in on; on veth in native mode
 * the peer only receives it when the peer runs XDP itself or has GRO on. */
#include <linux/bpf.h>

#include <bpf/bpf_helpers.h>

SEC("xdp")
int verdict_tx(struct xdp_md *ctx) {
  return XDP_TX;
}

char _license[] SEC("license") = "GPL";
