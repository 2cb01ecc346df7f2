#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <linux/if_ether.h>
#include <linux/ip.h>

struct backend { __u32 addr; __u16 port; __u16 pad; };

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 16); __type(key, __u32); __type(value, struct backend); } backends SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, __u64); } nodeport_config SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 16); __type(key, __u32); __type(value, __u64); } backend_hits SEC(".maps");

static __always_inline void csum_apply(__u16 *csum, __u32 diff) {
  __u32 sum = (__u16)~*csum + diff;
  sum = (sum & 0xffff) + (sum >> 16);
  *csum = ~((sum & 0xffff) + (sum >> 16));
}
static __always_inline __u32 csum_diff4(__u32 old, __u32 new) {
  return (__u16)~old + (__u16)~(old >> 16) + (new & 0xffff) + (new >> 16);
}

SEC("xdp") int nodeport_dnat(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
  if (data + 34 > data_end) return XDP_PASS;
  struct ethhdr *eth = data;
  if (eth->h_proto != bpf_htons(ETH_P_IP)) return XDP_PASS;
  struct iphdr *ip = data + 14;
  __u8 proto = ip->protocol;
  void *l4 = data + 34;
  if (*(__u8 *)ip != 0x45) return XDP_PASS;
  if (!((proto == 6 && data + 54 <= data_end) || (proto == 17 && data + 42 <= data_end)))
    return XDP_PASS;
  __u16 *dport = l4 + 2;
  if (*dport != bpf_htons(30080)) return XDP_PASS;
  __u32 zero = 0;
  __u64 *count = bpf_map_lookup_elem(&nodeport_config, &zero);
  if (!count || *count == 0 || *count > 16) return XDP_PASS;
  __u32 slot = bpf_get_prandom_u32() % *count;
  struct backend *b = bpf_map_lookup_elem(&backends, &slot);
  if (!b) return XDP_PASS;
  __u32 old_addr = ip->daddr, new_addr = b->addr;
  __u16 old_port = *dport, new_port = b->port;
  __u32 addr_diff = csum_diff4(old_addr, new_addr);
  __u32 l4_diff = addr_diff + (__u16)~old_port + new_port;
  ip->daddr = new_addr;
  csum_apply(&ip->check, addr_diff);
  *dport = new_port;
  if (proto == 6) {
    csum_apply(l4 + 16, l4_diff);
  } else {
    __u16 *csum = l4 + 6;
    if (*csum) csum_apply(csum, l4_diff);
  }
  __u64 *hits = bpf_map_lookup_elem(&backend_hits, &slot);
  if (hits) __sync_fetch_and_add(hits, 1);
  return XDP_PASS;
}
char _license[] SEC("license") = "GPL";
