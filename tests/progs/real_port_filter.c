/* Realistic member 3 of 8: drops IPv4 TCP and UDP to the destination ports telnet (23),
 * SMB (445) and RDP (3389), passes the rest. Parses its own headers; the L4 header is
 * found after the IPv4 options. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

static __always_inline int blocked_port(__u16 port) {
  return port == 23 || port == 445 || port == 3389;
}

SEC("xdp")
int real_port_filter(struct xdp_md *ctx) {
  void *end = (void *)(long)ctx->data_end;
  struct ethhdr *eth = (void *)(long)ctx->data;
  if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP)) return XDP_PASS;
  struct iphdr *ip = (void *)(eth + 1);
  if ((void *)(ip + 1) > end || ip->ihl < 5) return XDP_PASS;
  void *l4 = (void *)ip + ip->ihl * 4;
  __u16 dport;
  if (ip->protocol == IPPROTO_UDP) {
    struct udphdr *udp = l4;
    if ((void *)(udp + 1) > end) return XDP_PASS;
    dport = bpf_ntohs(udp->dest);
  } else if (ip->protocol == IPPROTO_TCP) {
    struct tcphdr *tcp = l4;
    if ((void *)(tcp + 1) > end) return XDP_PASS;
    dport = bpf_ntohs(tcp->dest);
  } else {
    return XDP_PASS;
  }
  return blocked_port(dport) ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
