/* A member with its own tail call. member_tail_call adds 1 to `tail_stats` key 0 and
 * tail-calls slot 0 of its prog array `jump_table`; with the slot empty it returns XDP_PASS.
 * The test puts tail_target there: it swaps the Ethernet addresses and returns XDP_PASS,
 * which ends the chain (a tail call leaves it: later members do not run). */
#include "packet.h"

struct {
  __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u32);
} jump_table SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u64);
} tail_stats SEC(".maps");

SEC("xdp")
int member_tail_call(struct xdp_md *ctx) {
  __u32 key = 0;
  __u64 *entered = bpf_map_lookup_elem(&tail_stats, &key);
  if (entered) *entered += 1;
  bpf_tail_call(ctx, &jump_table, 0);
  return XDP_PASS;
}

SEC("xdp")
int tail_target(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data;
  void *data_end = (void *)(long)ctx->data_end;
  struct ethhdr *eth = data;
  if ((void *)(eth + 1) > data_end) return XDP_ABORTED;
  unsigned char mac[ETH_ALEN];
  __builtin_memcpy(mac, eth->h_dest, ETH_ALEN);
  __builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
  __builtin_memcpy(eth->h_source, mac, ETH_ALEN);
  return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
