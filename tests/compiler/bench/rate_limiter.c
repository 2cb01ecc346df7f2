#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <linux/if_ether.h>
#include <linux/ip.h>

struct { __uint(type, BPF_MAP_TYPE_LRU_HASH); __uint(max_entries, 65536); __type(key, __u32); __type(value, __u64); } ip_counter SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 2); __type(key, __u32); __type(value, __u64); } stats SEC(".maps");

static __always_inline void bump(__u32 key) {
  __u64 *v = bpf_map_lookup_elem(&stats, &key);
  if (v) __sync_fetch_and_add(v, 1);
}

SEC("xdp") int ratelimit(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
  if (data + 34 > data_end) return XDP_PASS;
  struct ethhdr *eth = data;
  if (eth->h_proto != bpf_htons(ETH_P_IP)) return XDP_PASS;
  struct iphdr *ip = data + 14;
  bump(0);
  __u32 src = ip->saddr;
  __u64 *count = bpf_map_lookup_elem(&ip_counter, &src);
  if (count) {
    if (*count >= 5) { bump(1); return XDP_DROP; }
    __sync_fetch_and_add(count, 1);
  } else {
    __u64 one = 1;
    bpf_map_update_elem(&ip_counter, &src, &one, BPF_ANY);
  }
  return XDP_PASS;
}
char _license[] SEC("license") = "GPL";
