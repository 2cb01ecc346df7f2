/* Returns 7, which is not an XDP action: the kernel drops such packets (and warns once).
 * Used to check the chain's "other" counter. */
#include <linux/bpf.h>

#include <bpf/bpf_helpers.h>

SEC("xdp")
int verdict_other(struct xdp_md *ctx) {
  return 7;
}

char _license[] SEC("license") = "GPL";
