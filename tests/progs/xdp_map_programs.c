/* A device program with the two kinds of map program beside it: one the kernel runs from a
 * CPU map entry, one from a device map entry. Only `map_main` can be a chain member. */
#include <linux/bpf.h>

#include <bpf/bpf_helpers.h>

SEC("xdp")
int map_main(struct xdp_md *ctx) {
  return XDP_PASS;
}

SEC("xdp/cpumap")
int on_cpu(struct xdp_md *ctx) {
  return XDP_PASS;
}

SEC("xdp/devmap")
int on_dev(struct xdp_md *ctx) {
  return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
