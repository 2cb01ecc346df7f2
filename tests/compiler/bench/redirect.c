#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <linux/in.h>

struct { __uint(type, BPF_MAP_TYPE_DEVMAP); __uint(max_entries, 8); __uint(key_size, 4); __uint(value_size, 4); } tx_port SEC(".maps");

SEC("xdp") int redirect_vxlan(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
  if (data + 42 > data_end) return XDP_PASS;
  struct ethhdr *eth = data;
  if (eth->h_proto != bpf_htons(ETH_P_IP)) return XDP_PASS;
  struct iphdr *ip = data + 14;
  if (ip->protocol != IPPROTO_UDP) return XDP_PASS;
  struct udphdr *udp = data + 34;
  if (udp->dest == bpf_htons(4789)) return bpf_redirect_map(&tx_port, 0, 0);
  return XDP_PASS;
}
char _license[] SEC("license") = "GPL";
