#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <linux/if_ether.h>
#include <linux/ip.h>

struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 4096); __type(key, __u32); __type(value, __u64); } blocklist SEC(".maps");

SEC("xdp") int blocklist_filter(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
  if (data + 34 > data_end) return XDP_PASS;
  struct ethhdr *eth = data;
  if (eth->h_proto != bpf_htons(ETH_P_IP)) return XDP_PASS;
  struct iphdr *ip = data + 14;
  __u32 src = ip->saddr;
  __u64 *hits = bpf_map_lookup_elem(&blocklist, &src);
  if (hits) { __sync_fetch_and_add(hits, 1); return XDP_DROP; }
  return XDP_PASS;
}
char _license[] SEC("license") = "GPL";
