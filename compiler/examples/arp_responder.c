// The C twin of arp_responder.lisp, compiled by clang.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 256);
  __type(key, __u32);
  __type(value, __u64);
} proxy_macs SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u64);
} replies SEC(".maps");

static __always_inline void store_mac(__u8 *p, __u64 mac) {
  *(__u32 *)p = mac & 0xffffffff;
  *(__u16 *)(p + 4) = (mac >> 32) & 0xffff;
}

SEC("xdp") int arp_responder(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
  if (data + 14 > data_end) return XDP_PASS;
  if (*(__u16 *)(data + 12) != bpf_htons(0x0806)) return XDP_PASS;
  if (data + 42 > data_end) return XDP_PASS;
  __u8 *arp = data + 14;
  if (*(__u16 *)arp != bpf_htons(1) || *(__u16 *)(arp + 2) != bpf_htons(0x0800) || arp[4] != 6 ||
      arp[5] != 4)
    return XDP_PASS;
  if (*(__u16 *)(arp + 6) != bpf_htons(1)) return XDP_PASS;
  __u32 asked = *(__u32 *)(arp + 24);
  __u64 *mac = bpf_map_lookup_elem(&proxy_macs, &asked);
  if (!mac || *mac == 0) return XDP_PASS;
  __builtin_memcpy(data, data + 6, 6);
  store_mac(data + 6, *mac);
  *(__u16 *)(arp + 6) = bpf_htons(2);
  __builtin_memcpy(arp + 18, arp + 8, 10);
  store_mac(arp + 8, *mac);
  *(__u32 *)(arp + 14) = asked;
  __u32 zero = 0;
  __u64 *n = bpf_map_lookup_elem(&replies, &zero);
  if (n) __sync_fetch_and_add(n, 1);
  return XDP_TX;
}

char _license[] SEC("license") = "GPL";
