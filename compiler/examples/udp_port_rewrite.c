// The C twin of udp_port_rewrite.lisp, compiled by clang.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <linux/in.h>

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 1024);
  __type(key, __u32);
  __type(value, __u32);
} port_map SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 2);
  __type(key, __u32);
  __type(value, __u64);
} rewrites SEC(".maps");

static __always_inline __u32 fold(__u64 s) {
  s = (s & 0xffff) + (s >> 16);
  s = (s & 0xffff) + (s >> 16);
  s = (s & 0xffff) + (s >> 16);
  return (s & 0xffff) + (s >> 16);
}

static __always_inline void rewrite_port(void *udp, __u32 counter, int checksum_optional) {
  __u32 port = bpf_ntohs(*(__u16 *)(udp + 2));
  __u32 *new = bpf_map_lookup_elem(&port_map, &port);
  if (!new || *new == 0) return;
  __u16 old = *(__u16 *)(udp + 2);
  *(__u16 *)(udp + 2) = bpf_htons(*new);
  __u16 *csum = udp + 6;
  if (!checksum_optional || *csum != 0)
    *csum = ~fold((__u16)~*csum + (__u16)~old + (__u64) * (__u16 *)(udp + 2)) & 0xffff;
  __u64 *n = bpf_map_lookup_elem(&rewrites, &counter);
  if (n) __sync_fetch_and_add(n, 1);
}

static __always_inline int is_ext(__u8 nh) { return nh == 0 || nh == 43 || nh == 60 || nh == 44; }

SEC("xdp") int udp_port_rewrite(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
  // UDP over IPv4 (the prelude's with-udp).
  if (data + 34 > data_end) return XDP_PASS;
  if (*(__u16 *)(data + 12) == bpf_htons(0x0800)) {
    __u8 vi = *(__u8 *)(data + 14);
    if (vi >= 0x45 && vi <= 0x4f && *(__u8 *)(data + 23) == IPPROTO_UDP &&
        (*(__u16 *)(data + 20) & bpf_htons(0x1fff)) == 0) {
      void *udp = data + 14 + (vi & 0xf) * 4;
      if (udp + 8 > data_end) return XDP_PASS;
      rewrite_port(udp, 0, 1);
    }
  }
  // UDP over IPv6 (with-ipv6-l4).
  if (*(__u16 *)(data + 12) == bpf_htons(0x86dd)) {
    if (data + 54 > data_end) return XDP_PASS;
    if ((*(__u8 *)(data + 14) >> 4) == 6) {
      __u8 nh = *(__u8 *)(data + 20);
      __u32 off = 54;
      int later_fragment = 0;
#pragma unroll
      for (int i = 0; i < 6 && !later_fragment && is_ext(nh); i++) {
        void *p = data + off;
        if (p + 8 > data_end) return XDP_PASS;
        if (nh == 44) {
          if (*(__u16 *)(p + 2) & bpf_htons(0xfff8)) later_fragment = 1;
          else nh = *(__u8 *)p, off += 8;
        } else {
          nh = *(__u8 *)p;
          off += (*(__u8 *)(p + 1) + 1) * 8;
        }
      }
      if (!later_fragment && is_ext(nh)) return XDP_PASS; // too deep
      if (!later_fragment) {
        void *l4 = data + off;
        if (l4 + 8 > data_end) return XDP_PASS;
        if (nh == IPPROTO_UDP) rewrite_port(l4, 1, 0);
      }
    }
  }
  return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
