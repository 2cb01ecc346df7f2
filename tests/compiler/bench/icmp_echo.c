#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <linux/if_ether.h>
#include <linux/ip.h>

struct icmp_echo_hdr { __u8 type, code; __u16 checksum, id, sequence; };

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, __u64); } echo_stats SEC(".maps");

static __always_inline void csum_replace(__u16 *csum, __u16 old, __u16 new) {
  __u32 sum = (__u16)~*csum + (__u16)~old + new;
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  *csum = ~sum;
}

SEC("xdp") int icmp_echo(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
  if (data + 42 > data_end) return XDP_PASS;
  struct ethhdr *eth = data;
  struct iphdr *ip = data + 14;
  struct icmp_echo_hdr *icmp = data + 34;
  if (eth->h_proto != bpf_htons(ETH_P_IP) || *(__u8 *)ip != 0x45 || ip->protocol != 1 ||
      icmp->type != 8 || icmp->code != 0)
    return XDP_PASS;
  unsigned char mac[ETH_ALEN];
  __builtin_memcpy(mac, eth->h_dest, ETH_ALEN);
  __builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
  __builtin_memcpy(eth->h_source, mac, ETH_ALEN);
  __u32 src = ip->saddr;
  ip->saddr = ip->daddr;
  ip->daddr = src;
  __u16 old = *(__u16 *)&ip->ttl;
  ip->ttl = 64;
  csum_replace(&ip->check, old, *(__u16 *)&ip->ttl);
  old = *(__u16 *)icmp;
  icmp->type = 0;
  csum_replace(&icmp->checksum, old, *(__u16 *)icmp);
  __u32 key = 0;
  __u64 *n = bpf_map_lookup_elem(&echo_stats, &key);
  if (n) __sync_fetch_and_add(n, 1);
  return XDP_TX;
}
char _license[] SEC("license") = "GPL";
