/* A member built from BPF-to-BPF calls: the main function passes pointers to its own stack
 * (a struct flow) to static subprograms, one of which calls another. For IPv4 UDP:
 * parse_flow() fills the flow, flow_hash() mixes it (through mix_word(), in a loop of 4
 * rounds), the hash goes to the UDP checksum field,
 * `flow_stats` key 0 counts packets and key 1 keeps the last hash; the verdict is XDP_DROP
 * for odd hashes and XDP_PASS for even ones. Not UDP: XDP_PASS, untouched, not counted. */
#include "packet.h"

struct flow {
  __u32 saddr, daddr;
  __u16 sport, dport;
  __u64 hash;
};

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 2);
  __type(key, __u32);
  __type(value, __u64);
} flow_stats SEC(".maps");

static __noinline int parse_flow(struct xdp_md *ctx, struct flow *flow) {
  struct iphdr *ip = ipv4_header(ctx);
  if (!ip) return 0;
  struct udphdr *udp = udp_header(ctx, ip);
  if (!udp) return 0;
  flow->saddr = ip->saddr;
  flow->daddr = ip->daddr;
  flow->sport = udp->source;
  flow->dport = udp->dest;
  return 1;
}

static __noinline __u64 mix_word(__u64 hash, __u64 word) {
  return (hash ^ word) * 1099511628211ULL;
}

static __noinline __u64 flow_hash(struct flow *flow) {
  flow->hash = 14695981039346656037ULL;
  flow->hash = mix_word(flow->hash, flow->saddr);
  flow->hash = mix_word(flow->hash, flow->daddr);
  flow->hash = mix_word(flow->hash, ((__u64)flow->sport << 16) | flow->dport);
  for (__u32 round = 1; round <= 4; round++)
    flow->hash = mix_word(flow->hash, round);
  return flow->hash;
}

SEC("xdp")
int member_subprogs(struct xdp_md *ctx) {
  struct flow flow = {};
  if (!parse_flow(ctx, &flow)) return XDP_PASS;
  __u64 hash = flow_hash(&flow);

  struct iphdr *ip = ipv4_header(ctx);
  if (!ip) return XDP_ABORTED;
  struct udphdr *udp = udp_header(ctx, ip);
  if (!udp) return XDP_ABORTED;
  udp->check = (__u16)hash;

  __u32 key = 0;
  __u64 *packets = bpf_map_lookup_elem(&flow_stats, &key);
  if (packets) *packets += 1;
  key = 1;
  __u64 *last = bpf_map_lookup_elem(&flow_stats, &key);
  if (last) *last = hash;
  return hash & 1 ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
