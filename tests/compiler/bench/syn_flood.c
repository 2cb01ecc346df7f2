#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/in.h>

struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 32768); __type(key, __u32); __type(value, __u64); } syn_counter SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 3); __type(key, __u32); __type(value, __u64); } syn_stats SEC(".maps");

static __always_inline void bump(__u32 key) {
  __u64 *v = bpf_map_lookup_elem(&syn_stats, &key);
  if (v) __sync_fetch_and_add(v, 1);
}

SEC("xdp") int synflood(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
  if (data + 54 > data_end) return XDP_PASS;
  struct ethhdr *eth = data;
  if (eth->h_proto != bpf_htons(ETH_P_IP)) return XDP_PASS;
  struct iphdr *ip = data + 14;
  if (ip->protocol != IPPROTO_TCP) return XDP_PASS;
  __u8 flags = *((__u8 *)data + 34 + 13);
  if ((flags & 0x12) != 0x02) return XDP_PASS;
  bump(0);
  __u32 src = ip->saddr;
  __u64 *count = bpf_map_lookup_elem(&syn_counter, &src);
  if (count) {
    if (*count >= 3) { bump(1); return XDP_DROP; }
    __sync_fetch_and_add(count, 1);
  } else {
    bump(2);
    __u64 one = 1;
    bpf_map_update_elem(&syn_counter, &src, &one, BPF_ANY);
  }
  return XDP_PASS;
}
char _license[] SEC("license") = "GPL";
