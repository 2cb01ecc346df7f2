/* Returns XDP_DROP for every packet, whatever it is. For the continue-set tests: run it
 * with BPF_PROG_TEST_RUN, or in a chain where a later member decides. */
#include <linux/bpf.h>

#include <bpf/bpf_helpers.h>

SEC("xdp")
int verdict_drop(struct xdp_md *ctx) {
  return XDP_DROP;
}

char _license[] SEC("license") = "GPL";
