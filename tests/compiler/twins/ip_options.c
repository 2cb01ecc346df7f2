// The C twin of ip_options.lisp: the same four programs, written against the kernel's
// headers, compiled by clang.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 4);
  __type(key, __u32);
  __type(value, __u64);
} seen SEC(".maps");

static __always_inline void put(__u32 key, __u64 value) {
  bpf_map_update_elem(&seen, &key, &value, BPF_ANY);
}

// 1: an IPv4 header (version 4, IHL 5 or more) whose first 20 bytes the packet holds; 0:
// not IPv4; -1: too short (the program passes the packet).
static __always_inline int ipv4_header(void *data, void *data_end, struct iphdr **ip) {
  if (data + 34 > data_end) return -1;
  struct ethhdr *eth = data;
  if (eth->h_proto != bpf_htons(ETH_P_IP)) return 0;
  *ip = data + 14;
  __u8 ver_ihl = *(__u8 *)*ip;
  if (ver_ihl < 0x45 || ver_ihl > 0x4f) return 0;
  return 1;
}

// The L4 header of an IPv4 packet of `protocol` that is no later fragment, like
// ipv4_header.
static __always_inline int l4_header(void *data, void *data_end, __u8 protocol, __u32 min_len,
                                     struct iphdr **ip, void **l4) {
  int got = ipv4_header(data, data_end, ip);
  if (got <= 0) return got;
  if ((*ip)->protocol != protocol || ((*ip)->frag_off & bpf_htons(0x1fff)) != 0) return 0;
  *l4 = (void *)*ip + (*ip)->ihl * 4;
  if (*l4 + min_len > data_end) return -1;
  return 1;
}

SEC("xdp") int udp_block(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
  struct iphdr *ip;
  void *l4;
  int got = l4_header(data, data_end, IPPROTO_UDP, sizeof(struct udphdr), &ip, &l4);
  if (got < 0) return XDP_PASS;
  if (got > 0) {
    put(0, ip->ttl);
    if (((struct udphdr *)l4)->dest == bpf_htons(53)) return XDP_DROP;
  }
  return XDP_PASS;
}

SEC("xdp") int tcp_block(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
  struct iphdr *ip;
  void *l4;
  int got = l4_header(data, data_end, IPPROTO_TCP, sizeof(struct tcphdr), &ip, &l4);
  if (got < 0) return XDP_PASS;
  struct tcphdr *tcp = l4;
  if (got > 0 && tcp->dest == bpf_htons(22) && tcp->syn) return XDP_DROP;
  return XDP_PASS;
}

SEC("xdp") int ipv4_block(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
  struct iphdr *ip;
  int got = ipv4_header(data, data_end, &ip);
  if (got < 0) return XDP_PASS;
  if (got > 0) {
    put(1, ip->ihl * 4);
    if (ip->saddr == bpf_htonl(0xc0000201)) return XDP_DROP;
  }
  return XDP_PASS;
}

SEC("xdp") int udp_parse(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
  struct iphdr *ip;
  void *l4;
  if (l4_header(data, data_end, IPPROTO_UDP, sizeof(struct udphdr), &ip, &l4) > 0 &&
      ((struct udphdr *)l4)->dest == bpf_htons(53))
    return XDP_DROP;
  return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
