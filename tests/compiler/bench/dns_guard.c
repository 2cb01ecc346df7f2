#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <linux/in.h>

struct { __uint(type, BPF_MAP_TYPE_LRU_HASH); __uint(max_entries, 1024); __type(key, __u32); __type(value, __u64); } dns_queries SEC(".maps");

SEC("xdp") int dns_guard(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
  if (data + 42 > data_end) return XDP_PASS;
  struct ethhdr *eth = data;
  if (eth->h_proto != bpf_htons(ETH_P_IP)) return XDP_PASS;
  struct iphdr *ip = data + 14;
  if (ip->protocol != IPPROTO_UDP) return XDP_PASS;
  struct udphdr *udp = data + 34;
  if (udp->dest != bpf_htons(53)) return XDP_PASS;
  __u32 src = ip->saddr;
  __u64 *count = bpf_map_lookup_elem(&dns_queries, &src);
  if (count) {
    __sync_fetch_and_add(count, 1);
  } else {
    __u64 one = 1;
    bpf_map_update_elem(&dns_queries, &src, &one, BPF_ANY);
  }
  count = bpf_map_lookup_elem(&dns_queries, &src);
  if (count && *count > 2) return XDP_DROP;
  return XDP_PASS;
}
char _license[] SEC("license") = "GPL";
