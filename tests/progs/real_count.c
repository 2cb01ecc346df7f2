/* Realistic member 1 of 8 (the realistic benchmark, tests/bench/realistic_bench.cpp): counts
 * packets and bytes per CPU in `traffic` (key 0: packets, key 1: bytes). Passes everything.
 * Written on its own, as a separate author would: no shared headers but the kernel's. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 2);
  __type(key, __u32);
  __type(value, __u64);
} traffic SEC(".maps");

SEC("xdp")
int real_count(struct xdp_md *ctx) {
  __u32 key = 0;
  __u64 *packets = bpf_map_lookup_elem(&traffic, &key);
  if (packets) *packets += 1;
  key = 1;
  __u64 *bytes = bpf_map_lookup_elem(&traffic, &key);
  if (bytes) *bytes += ctx->data_end - ctx->data;
  return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
