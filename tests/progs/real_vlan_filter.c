/* Realistic member 5 of 8: 802.1Q frames pass only on VLAN `allowed_vlan` (100 unless the
 * loader rewrites the constant); other tagged frames are dropped, untagged ones pass. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

const volatile __u16 allowed_vlan = 100;

struct vlan_tag {
  __be16 tci;
  __be16 encapsulated_proto;
};

SEC("xdp")
int real_vlan_filter(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data;
  void *data_end = (void *)(long)ctx->data_end;
  struct ethhdr *eth = data;
  if (data + sizeof(*eth) > data_end) return XDP_PASS;
  if (eth->h_proto != bpf_htons(ETH_P_8021Q)) return XDP_PASS;
  struct vlan_tag *tag = data + sizeof(*eth);
  if ((void *)(tag + 1) > data_end) return XDP_DROP; /* truncated tag */
  __u16 vid = bpf_ntohs(tag->tci) & 0x0fff;
  return vid == allowed_vlan ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";
