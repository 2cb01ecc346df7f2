/* Counts packets by IPv4 protocol number in the array map `proto_count` (key 1 = ICMP,
 * 6 = TCP, 17 = UDP); packets that are not IPv4 are counted under key 0. Returns XDP_PASS. */
#include "packet.h"

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 256);
  __type(key, __u32);
  __type(value, __u64);
} proto_count SEC(".maps");

SEC("xdp")
int xdp_count(struct xdp_md *ctx) {
  struct iphdr *ip = ipv4_header(ctx);
  __u32 key = ip ? ip->protocol : 0;
  __u64 *count = bpf_map_lookup_elem(&proto_count, &key);
  if (count) __sync_fetch_and_add(count, 1);
  return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
