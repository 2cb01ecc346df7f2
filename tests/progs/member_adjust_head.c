/* A member that grows and shrinks the packet with bpf_xdp_adjust_head. IPv4 frames get a
 * 4-byte tag pushed between the Ethernet addresses and the EtherType (EtherType 0x88B5,
 * then a 16-bit sequence number from `tag_stats` key 0, which it increments); tagged frames
 * (0x88B5) have the tag popped, its sequence number stored at `tag_stats` key 1. Every
 * other frame passes untouched. Always XDP_PASS, so later members see the new packet. */
#include "packet.h"

#define ETH_P_TAG 0x88B5
#define TAG_BYTES 4

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 2);
  __type(key, __u32);
  __type(value, __u64);
} tag_stats SEC(".maps");

struct addrs {
  unsigned char bytes[2 * ETH_ALEN];
};

static __always_inline int push_tag(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data;
  void *data_end = (void *)(long)ctx->data_end;
  if (data + sizeof(struct addrs) > data_end) return XDP_PASS;
  struct addrs addrs = *(struct addrs *)data;
  if (bpf_xdp_adjust_head(ctx, -TAG_BYTES)) return XDP_ABORTED;
  data = (void *)(long)ctx->data;
  data_end = (void *)(long)ctx->data_end;
  if (data + sizeof(struct addrs) + TAG_BYTES > data_end) return XDP_ABORTED;
  *(struct addrs *)data = addrs;
  __u16 *tag = data + sizeof(struct addrs);
  __u32 key = 0;
  __u64 *sequence = bpf_map_lookup_elem(&tag_stats, &key);
  __u64 number = 0;
  if (sequence) number = (*sequence)++;
  tag[0] = bpf_htons(ETH_P_TAG);
  tag[1] = bpf_htons((__u16)number);
  return XDP_PASS;
}

static __always_inline int pop_tag(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data;
  void *data_end = (void *)(long)ctx->data_end;
  if (data + sizeof(struct addrs) + TAG_BYTES + 2 > data_end) return XDP_PASS;
  struct addrs addrs = *(struct addrs *)data;
  __u16 *tag = data + sizeof(struct addrs);
  __u32 key = 1;
  __u64 *last = bpf_map_lookup_elem(&tag_stats, &key);
  if (last) *last = bpf_ntohs(tag[1]);
  if (bpf_xdp_adjust_head(ctx, TAG_BYTES)) return XDP_ABORTED;
  data = (void *)(long)ctx->data;
  data_end = (void *)(long)ctx->data_end;
  if (data + sizeof(struct addrs) > data_end) return XDP_ABORTED;
  *(struct addrs *)data = addrs;
  return XDP_PASS;
}

SEC("xdp")
int member_adjust_head(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data;
  void *data_end = (void *)(long)ctx->data_end;
  struct ethhdr *eth = data;
  if ((void *)(eth + 1) > data_end) return XDP_PASS;
  if (eth->h_proto == bpf_htons(ETH_P_IP)) return push_tag(ctx);
  if (eth->h_proto == bpf_htons(ETH_P_TAG)) return pop_tag(ctx);
  return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
