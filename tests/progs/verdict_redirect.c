/* Returns XDP_REDIRECT for every packet, whatever it is. For the continue-set tests: run
 * it with BPF_PROG_TEST_RUN, or in a chain where a later member decides. No redirect
 * target is set (no bpf_redirect call), so as a final verdict on a real interface the
 * kernel drops the frame (xdp_do_redirect fails). */
#include <linux/bpf.h>

#include <bpf/bpf_helpers.h>

SEC("xdp")
int verdict_redirect(struct xdp_md *ctx) {
  return XDP_REDIRECT;
}

char _license[] SEC("license") = "GPL";
