/* The realistic benchmark's reference: one hand-written program doing the eight checks of
 * real_count.c ... real_lpm_deny.c in their chain order, parsing the headers once. It gives
 * the same verdict as the chain [count, icmp_filter, port_filter, blocklist, vlan_filter,
 * ttl_check, frag_filter, lpm_deny] for every packet, and writes its maps (same names,
 * same meaning) as those members write theirs. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

/* linux/icmp.h pulls in libc headers the BPF target lacks: the part used here. */
struct icmphdr {
  __u8 type;
  __u8 code;
  __sum16 checksum;
  __be32 rest;
};
#define ICMP_ECHO 8

const volatile __u16 allowed_vlan = 100;
const volatile __u8 min_ttl = 2;

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 2);
  __type(key, __u32);
  __type(value, __u64);
} traffic SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 1024);
  __type(key, __u32);
  __type(value, __u64);
} blocked_src SEC(".maps");

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
int real_handwritten(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data;
  void *data_end = (void *)(long)ctx->data_end;

  __u32 key = 0;
  __u64 *packets = bpf_map_lookup_elem(&traffic, &key);
  if (packets) *packets += 1;
  key = 1;
  __u64 *bytes = bpf_map_lookup_elem(&traffic, &key);
  if (bytes) *bytes += data_end - data;

  struct ethhdr *eth = data;
  if ((void *)(eth + 1) > data_end) return XDP_PASS;
  if (eth->h_proto == bpf_htons(ETH_P_8021Q)) {
    __be16 *tci = (void *)(eth + 1);
    if ((void *)(tci + 2) > data_end) return XDP_DROP;
    return (bpf_ntohs(*tci) & 0x0fff) == allowed_vlan ? XDP_PASS : XDP_DROP;
  }
  if (eth->h_proto != bpf_htons(ETH_P_IP)) return XDP_PASS;
  struct iphdr *ip = (void *)(eth + 1);
  if ((void *)(ip + 1) > data_end) return XDP_PASS;

  if (ip->ihl >= 5) {
    void *l4 = (void *)ip + ip->ihl * 4;
    if (ip->protocol == IPPROTO_ICMP) {
      struct icmphdr *icmp = l4;
      if ((void *)(icmp + 1) <= data_end && icmp->type == ICMP_ECHO) return XDP_DROP;
    } else if (ip->protocol == IPPROTO_UDP || ip->protocol == IPPROTO_TCP) {
      __u16 dport = 0;
      if (ip->protocol == IPPROTO_UDP) {
        struct udphdr *udp = l4;
        if ((void *)(udp + 1) <= data_end) dport = bpf_ntohs(udp->dest);
      } else {
        struct tcphdr *tcp = l4;
        if ((void *)(tcp + 1) <= data_end) dport = bpf_ntohs(tcp->dest);
      }
      if (dport == 23 || dport == 445 || dport == 3389) return XDP_DROP;
    }
  }

  __u32 saddr = ip->saddr;
  __u64 *hits = bpf_map_lookup_elem(&blocked_src, &saddr);
  if (hits) {
    __sync_fetch_and_add(hits, 1);
    return XDP_DROP;
  }
  if (ip->ttl < min_ttl) return XDP_DROP;
  if (ip->frag_off & bpf_htons(0x3fff)) return XDP_DROP;
  struct deny_key dkey = {.prefixlen = 32, .addr = ip->daddr};
  return bpf_map_lookup_elem(&deny_dst, &dkey) ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
