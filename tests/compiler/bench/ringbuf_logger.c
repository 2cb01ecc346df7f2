#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/in.h>

struct pkt_event { __u32 src_addr, dst_addr; __u16 src_port, dst_port; __u32 len; };
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } events SEC(".maps");

SEC("xdp") int logger(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
  if (data + 54 > data_end) return XDP_PASS;
  struct ethhdr *eth = data;
  if (eth->h_proto != bpf_htons(ETH_P_IP)) return XDP_PASS;
  struct iphdr *ip = data + 14;
  if (ip->protocol != IPPROTO_TCP) return XDP_PASS;
  struct tcphdr *tcp = data + 34;
  struct pkt_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
  if (e) {
    e->src_addr = ip->saddr;
    e->dst_addr = ip->daddr;
    e->src_port = bpf_ntohs(tcp->source);
    e->dst_port = bpf_ntohs(tcp->dest);
    e->len = data_end - data;
    bpf_ringbuf_submit(e, 0);
  }
  return XDP_PASS;
}
char _license[] SEC("license") = "GPL";
