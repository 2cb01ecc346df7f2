#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <linux/if_ether.h>
#include <linux/ip.h>

struct ipv4_prefix { __u32 prefixlen; __u32 addr; };
struct rule { __u32 action; __u32 pad; __u64 hits; };

struct { __uint(type, BPF_MAP_TYPE_LPM_TRIE); __uint(max_entries, 1024); __uint(map_flags, BPF_F_NO_PREALLOC); __type(key, struct ipv4_prefix); __type(value, struct rule); } prefilter SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 3); __type(key, __u32); __type(value, __u64); } prefilter_stats SEC(".maps");

static __always_inline void bump(__u32 key) {
  __u64 *v = bpf_map_lookup_elem(&prefilter_stats, &key);
  if (v) __sync_fetch_and_add(v, 1);
}

SEC("xdp") int lpm_prefilter(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
  if (data + 34 > data_end) return XDP_PASS;
  struct ethhdr *eth = data;
  if (eth->h_proto != bpf_htons(ETH_P_IP)) return XDP_PASS;
  struct iphdr *ip = data + 14;
  bump(0);
  struct ipv4_prefix key = {.prefixlen = 32, .addr = ip->saddr};
  struct rule *rule = bpf_map_lookup_elem(&prefilter, &key);
  if (rule) {
    bump(1);
    __sync_fetch_and_add(&rule->hits, 1);
    if (rule->action == 1) {
      bump(2);
      return XDP_DROP;
    }
  }
  return XDP_PASS;
}
char _license[] SEC("license") = "GPL";
