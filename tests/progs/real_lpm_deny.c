/* Realistic member 8 of 8: drops IPv4 packets whose destination falls in a prefix of the
 * LPM trie `deny_dst` (key: prefix length, then the address in network byte order). */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct deny_key {
  __u32 prefixlen;
  __u32 addr;
};

struct {
  __uint(type, BPF_MAP_TYPE_LPM_TRIE);
  __uint(max_entries, 256);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __type(key, struct deny_key);
  __type(value, __u32);
} deny_dst SEC(".maps");

SEC("xdp")
int real_lpm_deny(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data;
  void *data_end = (void *)(long)ctx->data_end;
  struct ethhdr *eth = data;
  if ((void *)(eth + 1) > data_end) return XDP_PASS;
  if (eth->h_proto != bpf_htons(ETH_P_IP)) return XDP_PASS;
  struct iphdr *ip = (void *)(eth + 1);
  if ((void *)(ip + 1) > data_end) return XDP_PASS;
  struct deny_key key = {.prefixlen = 32, .addr = ip->daddr};
  return bpf_map_lookup_elem(&deny_dst, &key) ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
