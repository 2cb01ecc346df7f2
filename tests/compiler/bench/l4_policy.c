#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <linux/if_ether.h>
#include <linux/ip.h>

struct policy_key { __u32 daddr; __u16 dport; __u8 proto; __u8 pad; };
struct policy { __u32 verdict; __u32 hits; };

struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 4096); __type(key, struct policy_key); __type(value, struct policy); } policies SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, __u64); } unmatched SEC(".maps");

SEC("xdp") int l4_policy(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
  if (data + 34 > data_end) return XDP_PASS;
  struct ethhdr *eth = data;
  if (eth->h_proto != bpf_htons(ETH_P_IP)) return XDP_PASS;
  struct iphdr *ip = data + 14;
  __u8 proto = ip->protocol;
  if ((proto != 6 && proto != 17) || *(__u8 *)ip != 0x45 || data + 38 > data_end)
    return XDP_PASS;
  struct policy_key key = {.daddr = ip->daddr, .dport = *(__u16 *)(data + 36), .proto = proto};
  struct policy *p = bpf_map_lookup_elem(&policies, &key);
  if (p) {
    __sync_fetch_and_add(&p->hits, 1);
    return p->verdict;
  }
  __u32 zero = 0;
  __u64 *n = bpf_map_lookup_elem(&unmatched, &zero);
  if (n) __sync_fetch_and_add(n, 1);
  return XDP_PASS;
}
char _license[] SEC("license") = "GPL";
