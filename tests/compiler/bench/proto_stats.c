#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 256); __type(key, __u32); __type(value, __u64); } proto_count SEC(".maps");

SEC("xdp") int proto_stats(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
  if (data + 34 > data_end) return XDP_PASS;
  struct ethhdr *eth = data;
  if (eth->h_proto != bpf_htons(ETH_P_IP)) return XDP_PASS;
  struct iphdr *ip = data + 14;
  __u32 proto = ip->protocol;
  __u64 *v = bpf_map_lookup_elem(&proto_count, &proto);
  if (v) __sync_fetch_and_add(v, 1);
  if (proto == IPPROTO_ICMP || ip->ttl <= 1) return XDP_DROP;
  return XDP_PASS;
}
char _license[] SEC("license") = "GPL";
