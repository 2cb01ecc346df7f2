#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>

struct { __uint(type, BPF_MAP_TYPE_PROG_ARRAY); __uint(max_entries, 8); __uint(key_size, 4); __uint(value_size, 4); } jump_table SEC(".maps");

SEC("xdp/tcp") int handle_tcp(struct xdp_md *ctx) { return XDP_DROP; }
SEC("xdp/udp") int handle_udp(struct xdp_md *ctx) { return XDP_TX; }

SEC("xdp") int dispatcher(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
  if (data + 34 > data_end) return XDP_PASS;
  struct ethhdr *eth = data;
  if (eth->h_proto != bpf_htons(ETH_P_IP)) return XDP_PASS;
  struct iphdr *ip = data + 14;
  switch (ip->protocol) {
  case IPPROTO_TCP: bpf_tail_call(ctx, &jump_table, 0); break;
  case IPPROTO_UDP: bpf_tail_call(ctx, &jump_table, 1); break;
  }
  return XDP_PASS;
}
char _license[] SEC("license") = "GPL";
