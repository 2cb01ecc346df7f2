/* Realistic member 2 of 8: drops IPv4 ICMP echo requests (type 8), passes the rest,
 * ICMP echo replies included. Parses its own Ethernet and IPv4 headers (IHL honoured). */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
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

SEC("xdp")
int real_icmp_filter(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data;
  void *data_end = (void *)(long)ctx->data_end;
  struct ethhdr *eth = data;
  if ((void *)(eth + 1) > data_end) return XDP_PASS;
  if (eth->h_proto != bpf_htons(ETH_P_IP)) return XDP_PASS;
  struct iphdr *iph = (void *)(eth + 1);
  if ((void *)(iph + 1) > data_end) return XDP_PASS;
  if (iph->protocol != IPPROTO_ICMP || iph->ihl < 5) return XDP_PASS;
  struct icmphdr *icmp = (void *)iph + iph->ihl * 4;
  if ((void *)(icmp + 1) > data_end) return XDP_PASS;
  return icmp->type == ICMP_ECHO ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
