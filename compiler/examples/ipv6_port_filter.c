// The C twin of ipv6_port_filter.lisp, compiled by clang.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <linux/in.h>

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 1024);
  __type(key, __u32);
  __type(value, __u32);
} blocked_ports SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 3);
  __type(key, __u32);
  __type(value, __u64);
} verdicts SEC(".maps");

static __always_inline void count(__u32 key) {
  __u64 *v = bpf_map_lookup_elem(&verdicts, &key);
  if (v) __sync_fetch_and_add(v, 1);
}

static __always_inline int is_ext(__u8 nh) { return nh == 0 || nh == 43 || nh == 60 || nh == 44; }

SEC("xdp") int ipv6_port_filter(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
  if (data + 14 > data_end) return XDP_PASS;
  if (*(__u16 *)(data + 12) == bpf_htons(0x86dd)) {
    if (data + 54 > data_end) return XDP_PASS;
    if ((*(__u8 *)(data + 14) >> 4) == 6) {
      __u8 nh = *(__u8 *)(data + 20);
      __u32 off = 54;
      int later_fragment = 0;
#pragma unroll
      for (int i = 0; i < 4 && !later_fragment && is_ext(nh); i++) {
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
      if (!later_fragment && is_ext(nh)) {
        count(2);
        return XDP_DROP;
      }
      if (!later_fragment) {
        void *l4 = data + off;
        if (l4 + 4 > data_end) return XDP_PASS;
        __u32 port = bpf_ntohs(*(__u16 *)(l4 + 2));
        __u32 *blocked = bpf_map_lookup_elem(&blocked_ports, &port);
        if ((nh == IPPROTO_TCP || nh == IPPROTO_UDP) && blocked && *blocked) {
          count(1);
          return XDP_DROP;
        }
      }
    }
  }
  count(0);
  return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
