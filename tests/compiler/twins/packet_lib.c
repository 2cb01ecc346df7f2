// The C twin of packet_lib.lisp: the same programs written against the kernel's headers,
// compiled by clang.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 8);
  __type(key, __u32);
  __type(value, __u64);
} seen SEC(".maps");

static __always_inline void put(__u32 key, __u64 value) {
  bpf_map_update_elem(&seen, &key, &value, BPF_ANY);
}

#define PKT_BOUNDS                                                                          \
  void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;            \
  if (data + 14 > data_end) return XDP_PASS;

static __always_inline int is_tpid(__u16 type) { return type == 0x8100 || type == 0x88a8; }

SEC("xdp") int vlan_tags(struct xdp_md *ctx) {
  PKT_BOUNDS
  __u16 type = bpf_ntohs(*(__u16 *)(data + 12));
  __u64 tags = 0, vid = 0, ivid = 0;
  void *l3 = data + 14;
  if (is_tpid(type)) {
    if (data + 18 > data_end) return XDP_PASS;
    vid = bpf_ntohs(*(__u16 *)(data + 14)) & 0xfff;
    type = bpf_ntohs(*(__u16 *)(data + 16));
    tags = 1, l3 = data + 18;
    if (is_tpid(type)) {
      if (data + 22 > data_end) return XDP_PASS;
      ivid = bpf_ntohs(*(__u16 *)(data + 18)) & 0xfff;
      type = bpf_ntohs(*(__u16 *)(data + 20));
      tags = 2, l3 = data + 22;
    }
  }
  if (l3 + 1 > data_end) return XDP_PASS;
  put(0, tags), put(1, vid), put(2, ivid), put(3, type), put(4, *(__u8 *)l3);
  return vid == 13 ? XDP_DROP : XDP_PASS;
}

enum { WALKING, UPPER, LATER_FRAGMENT, SHORT };

// The upper-layer header of an IPv6 packet after at most 6 extension headers.
static __always_inline int ipv6_walk(void *data, void *data_end, __u8 *nh, __u32 *off) {
  *nh = *(__u8 *)(data + 20);
  *off = 54;
#pragma unroll
  for (int i = 0; i < 6; i++) {
    if (*nh == 0 || *nh == 43 || *nh == 60) {
      void *p = data + *off;
      if (p + 8 > data_end) return SHORT;
      *nh = *(__u8 *)p;
      *off += (*(__u8 *)(p + 1) + 1) * 8;
    } else if (*nh == 44) {
      void *p = data + *off;
      if (p + 8 > data_end) return SHORT;
      if (*(__u16 *)(p + 2) & bpf_htons(0xfff8)) return LATER_FRAGMENT;
      *nh = *(__u8 *)p;
      *off += 8;
    } else {
      return UPPER;
    }
  }
  return (*nh == 0 || *nh == 43 || *nh == 60 || *nh == 44) ? WALKING : UPPER;
}

// 1: IPv6 with version 6 and 40 bytes there; 0: another packet; -1: too short.
static __always_inline int ipv6_header(void *data, void *data_end) {
  if (*(__u16 *)(data + 12) != bpf_htons(ETH_P_IPV6)) return 0;
  if (data + 54 > data_end) return -1;
  return (*(__u8 *)(data + 14) >> 4) == 6;
}

SEC("xdp") int ipv6_l4(struct xdp_md *ctx) {
  PKT_BOUNDS
  int got = ipv6_header(data, data_end);
  if (got < 0) return XDP_PASS;
  if (got == 0) return XDP_PASS;
  __u8 nh;
  __u32 off;
  int state = ipv6_walk(data, data_end, &nh, &off);
  if (state == SHORT) return XDP_PASS;
  if (state == WALKING) return XDP_ABORTED;
  if (state != UPPER) return XDP_PASS;
  void *l4 = data + off;
  if (l4 + 4 > data_end) return XDP_PASS;
  put(0, nh), put(1, off), put(2, *(__u8 *)(data + 21));
  if (nh == IPPROTO_UDP && ((struct udphdr *)l4)->dest == bpf_htons(53)) return XDP_DROP;
  return XDP_PASS;
}

SEC("xdp") int ipv6_hdr(struct xdp_md *ctx) {
  PKT_BOUNDS
  if (ipv6_header(data, data_end) <= 0) return XDP_PASS;
  struct ipv6hdr *ip6 = data + 14;
  put(5, ip6->nexthdr);
  return ip6->daddr.s6_addr[15] == 1 ? XDP_DROP : XDP_PASS;
}

static __always_inline __u32 fold(__u64 s) {
  s = (s & 0xffff) + (s >> 16);
  s = (s & 0xffff) + (s >> 16);
  s = (s & 0xffff) + (s >> 16);
  return (s & 0xffff) + (s >> 16);
}

static __always_inline void csum_update16(__u16 *csum, __u16 old, __u16 new) {
  *csum = ~fold((__u16)~*csum + (__u16)~old + (__u64)new) & 0xffff;
}

static __always_inline void csum_update32(__u16 *csum, __u32 old, __u32 new) {
  *csum = ~fold((__u64)(__u16)~*csum + (__u16)~old + (__u16)~(old >> 16) + (new & 0xffff) +
                (new >> 16)) &
          0xffff;
}

// The IPv4 L4 header of `protocol` like the prelude's with-icmp: 1 found, 0 not, -1 short.
static __always_inline int ipv4_l4(void *data, void *data_end, __u8 protocol, __u32 min_len,
                                   struct iphdr **ip, void **l4) {
  if (data + 34 > data_end) return -1;
  if (*(__u16 *)(data + 12) != bpf_htons(ETH_P_IP)) return 0;
  *ip = data + 14;
  __u8 vi = *(__u8 *)*ip;
  if (vi < 0x45 || vi > 0x4f) return 0;
  if ((*ip)->protocol != protocol || ((*ip)->frag_off & bpf_htons(0x1fff))) return 0;
  *l4 = (void *)*ip + (vi & 0xf) * 4;
  if (*l4 + min_len > data_end) return -1;
  return 1;
}

SEC("xdp") int icmp_reply(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
  struct iphdr *ip;
  void *icmp;
  if (ipv4_l4(data, data_end, IPPROTO_ICMP, 8, &ip, &icmp) <= 0) return XDP_PASS;
  put(0, bpf_ntohs(*(__u16 *)(icmp + 4))), put(1, ip->ttl);
  if (*(__u8 *)icmp != 8) return XDP_PASS;
  __u16 old = *(__u16 *)icmp;
  *(__u8 *)icmp = 0;
  csum_update16(icmp + 2, old, *(__u16 *)icmp);
  return XDP_TX;
}

SEC("xdp") int icmp6_reply(struct xdp_md *ctx) {
  PKT_BOUNDS
  if (ipv6_header(data, data_end) <= 0) return XDP_PASS;
  __u8 nh;
  __u32 off;
  int state = ipv6_walk(data, data_end, &nh, &off);
  if (state == SHORT || state == WALKING || state != UPPER) return XDP_PASS;
  if (nh != IPPROTO_ICMPV6) return XDP_PASS;
  void *icmp6 = data + off;
  if (icmp6 + 8 > data_end) return XDP_PASS;
  put(0, *(__u8 *)icmp6), put(1, *(__u8 *)(data + 21));
  if (*(__u8 *)icmp6 != 128) return XDP_PASS;
  __u16 old = *(__u16 *)icmp6;
  *(__u8 *)icmp6 = 129;
  csum_update16(icmp6 + 2, old, *(__u16 *)icmp6);
  return XDP_TX;
}

SEC("xdp") int arp_watch(struct xdp_md *ctx) {
  PKT_BOUNDS
  if (*(__u16 *)(data + 12) != bpf_htons(ETH_P_ARP)) return XDP_PASS;
  if (data + 42 > data_end) return XDP_PASS;
  __u8 *arp = data + 14;
  if (*(__u16 *)arp != bpf_htons(1) || *(__u16 *)(arp + 2) != bpf_htons(0x0800) || arp[4] != 6 ||
      arp[5] != 4)
    return XDP_PASS;
  __u16 op = bpf_ntohs(*(__u16 *)(arp + 6));
  __u32 tpa = *(__u32 *)(arp + 24);
  put(0, op), put(1, *(__u32 *)(arp + 14)), put(2, tpa), put(3, arp[13]);
  return op == 1 && tpa == bpf_htonl(0x0a000042) ? XDP_DROP : XDP_PASS;
}

SEC("xdp") int nat_dst(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
  struct iphdr *ip;
  void *udp;
  if (ipv4_l4(data, data_end, IPPROTO_UDP, 8, &ip, &udp) <= 0) return XDP_PASS;
  __u32 old = ip->daddr, new = bpf_htonl(0x0a090909);
  ip->daddr = new;
  csum_update32(&ip->check, old, new);
  if (((struct udphdr *)udp)->check) csum_update32(&((struct udphdr *)udp)->check, old, new);
  return XDP_TX;
}

// The prelude's csum-sum: -1 when LEN is above MAX or runs past the packet.
static __always_inline __s64 csum_sum(void *p, void *data_end, __u64 len, __u32 max) {
  __u64 s = 0;
  if (len > max) return -1;
  for (__u32 i = 0; i < max / 2; i++) {
    if (i * 2 + 1 < len) {
      if (p + i * 2 + 2 > data_end) return -1;
      s += *(__u16 *)(p + i * 2);
    }
  }
  if (len & 1) {
    void *q = p + (len & 0x1ffe);
    asm volatile("" : "+r"(q)); // one register for the check and the load
    if (q + 1 > data_end) return -1;
    s += *(__u8 *)q;
  }
  return s;
}

SEC("xdp") int icmp_full(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
  struct iphdr *ip;
  void *icmp;
  if (ipv4_l4(data, data_end, IPPROTO_ICMP, 8, &ip, &icmp) <= 0) return XDP_PASS;
  __u64 len = (__u64)bpf_ntohs(ip->tot_len) - ip->ihl * 4;
  *(__u16 *)(icmp + 2) = 0;
  __s64 s = csum_sum(icmp, data_end, len, 256);
  if (s < 0) return XDP_PASS;
  __u16 sum = ~fold(s) & 0xffff;
  put(2, sum);
  *(__u16 *)(icmp + 2) = sum;
  s = csum_sum(ip, data_end, ip->ihl * 4, 60);
  if (s < 0) return XDP_PASS;
  put(3, ~fold(s) & 0xffff);
  return XDP_TX;
}

char _license[] SEC("license") = "GPL";
