/* A member that passes a callback to bpf_loop (its address is an ld_imm64 of a
 * subprogram): counts 3 rounds into `loop_stats` key 0 per packet and returns XDP_PASS.
 * The fused backend refuses it: the callback needs BTF func_info, which the fused program
 * does not carry (the tail-call backend's entry program does). */
#include "packet.h"

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u64);
} loop_stats SEC(".maps");

static int count_round(__u32 index, void *data) {
  __u64 *rounds = data;
  *rounds += 1;
  return 0;
}

SEC("xdp")
int member_loop_callback(struct xdp_md *ctx) {
  __u64 rounds = 0;
  bpf_loop(3, count_round, &rounds, 0);
  __u32 key = 0;
  __u64 *total = bpf_map_lookup_elem(&loop_stats, &key);
  if (total) *total += rounds;
  return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
