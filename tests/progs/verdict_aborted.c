/* Returns XDP_ABORTED for every packet, whatever it is. For the continue-set tests: run it
 * with BPF_PROG_TEST_RUN, or in a chain where a later member decides. */
#include <linux/bpf.h>

#include <bpf/bpf_helpers.h>

SEC("xdp")
int verdict_aborted(struct xdp_md *ctx) {
  return XDP_ABORTED;
}

char _license[] SEC("license") = "GPL";
