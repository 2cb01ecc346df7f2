#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/in.h>

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, __u64); } drop_count SEC(".maps");

SEC("xdp") int drop_port(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
  if (data + 54 > data_end) return XDP_PASS;
  struct ethhdr *eth = data;
  if (eth->h_proto != bpf_htons(ETH_P_IP)) return XDP_PASS;
  struct iphdr *ip = data + 14;
  if (ip->protocol != IPPROTO_TCP) return XDP_PASS;
  struct tcphdr *tcp = data + 34;
  if (tcp->dest == bpf_htons(9999)) {
    __u32 key = 0;
    __u64 *v = bpf_map_lookup_elem(&drop_count, &key);
    if (v) __sync_fetch_and_add(v, 1);
    return XDP_DROP;
  }
  return XDP_PASS;
}
char _license[] SEC("license") = "GPL";
