/* A member that uses 400 bytes of stack: for IPv4 UDP with at least 8 bytes of payload it
 * fills 50 u64 words on the stack from the addresses and ports, folds them into a hash,
 * writes the hash over the first 8 payload bytes, adds 1 to `stack_stats` key 0 and stores
 * the hash at key 1, and returns XDP_TX. Everything else: XDP_PASS, untouched. Used by
 * the fused backend's member tests (the fused program's stack is the deepest member's plus
 * its own 16 bytes). */
#include "packet.h"

#define WORDS 50 /* 400 bytes */

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 2);
  __type(key, __u32);
  __type(value, __u64);
} stack_stats SEC(".maps");

SEC("xdp")
int member_big_stack(struct xdp_md *ctx) {
  void *data_end = (void *)(long)ctx->data_end;
  struct iphdr *ip = ipv4_header(ctx);
  if (!ip) return XDP_PASS;
  struct udphdr *udp = udp_header(ctx, ip);
  if (!udp) return XDP_PASS;
  __u64 *payload = (void *)(udp + 1);
  if ((void *)(payload + 1) > data_end) return XDP_PASS;

  volatile __u64 words[WORDS];
  __u64 seed = ((__u64)ip->saddr << 32 | ip->daddr) ^ ((__u64)udp->source << 16 | udp->dest);
#pragma clang loop unroll(full)
  for (int i = 0; i < WORDS; i++) {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    words[i] = seed;
  }
  __u64 hash = 0;
#pragma clang loop unroll(full)
  for (int i = WORDS - 1; i >= 0; i--)
    hash = (hash ^ words[i]) * 1099511628211ULL;

  *payload = hash;
  __u32 key = 0;
  __u64 *packets = bpf_map_lookup_elem(&stack_stats, &key);
  if (packets) *packets += 1;
  key = 1;
  __u64 *last = bpf_map_lookup_elem(&stack_stats, &key);
  if (last) *last = hash;
  return XDP_TX;
}

char _license[] SEC("license") = "GPL";
