/* Realistic member 7 of 8: drops IPv4 fragments (more-fragments flag set or a non-zero
 * fragment offset), passes whole datagrams and everything that is not IPv4. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define IP_MF 0x2000
#define IP_OFFSET 0x1fff

SEC("xdp")
int real_frag_filter(struct xdp_md *ctx) {
  void *data_end = (void *)(long)ctx->data_end;
  void *data = (void *)(long)ctx->data;
  struct ethhdr *eth = data;
  if ((void *)(eth + 1) > data_end) return XDP_PASS;
  if (eth->h_proto != bpf_htons(ETH_P_IP)) return XDP_PASS;
  struct iphdr *ip = (void *)(eth + 1);
  if ((void *)(ip + 1) > data_end) return XDP_PASS;
  if (ip->frag_off & bpf_htons(IP_MF | IP_OFFSET)) return XDP_DROP;
  return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
