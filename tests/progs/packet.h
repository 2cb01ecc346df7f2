/* Packet parsing shared by the test programs: every access is bounds-checked, so the
 * verifier accepts them (xdp_bad_access.c is the one that deliberately is not). */
#pragma once

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>

#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

/* The IPv4 header of the packet, or NULL when it is not a complete IPv4 packet. */
static __always_inline struct iphdr *ipv4_header(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data;
  void *data_end = (void *)(long)ctx->data_end;
  struct ethhdr *eth = data;
  if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP)) return NULL;
  struct iphdr *ip = (void *)(eth + 1);
  if ((void *)(ip + 1) > data_end || ip->ihl < 5) return NULL;
  return ip;
}

/* The UDP header following `ip`, or NULL. */
static __always_inline struct udphdr *udp_header(struct xdp_md *ctx, struct iphdr *ip) {
  void *data_end = (void *)(long)ctx->data_end;
  if (ip->protocol != IPPROTO_UDP) return NULL;
  struct udphdr *udp = (void *)ip + ip->ihl * 4;
  if ((void *)(udp + 1) > data_end) return NULL;
  return udp;
}

static __always_inline int is_ipv4_icmp(struct xdp_md *ctx) {
  struct iphdr *ip = ipv4_header(ctx);
  return ip && ip->protocol == IPPROTO_ICMP;
}
