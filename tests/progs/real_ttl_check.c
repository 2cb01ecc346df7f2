/* Realistic member 6 of 8: drops IPv4 packets whose TTL is below `min_ttl` (2 unless the
 * loader rewrites the constant): they would expire at the next hop anyway. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

const volatile __u8 min_ttl = 2;

SEC("xdp")
int real_ttl_check(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data;
  void *data_end = (void *)(long)ctx->data_end;
  struct ethhdr *eth = data;
  struct iphdr *ip = (struct iphdr *)(eth + 1);
  if ((void *)(ip + 1) > data_end) return XDP_PASS;
  if (eth->h_proto != bpf_htons(ETH_P_IP)) return XDP_PASS;
  if (ip->ttl < min_ttl) return XDP_DROP;
  return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
