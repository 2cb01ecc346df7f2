// The C twin of vlan_allowlist.lisp, compiled by clang.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 4096);
  __type(key, __u32);
  __type(value, __u32);
} allowed_vlans SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 4096);
  __type(key, __u32);
  __type(value, __u64);
} vlan_drops SEC(".maps");

static __always_inline int is_tpid(__u16 type) { return type == 0x8100 || type == 0x88a8; }

static __always_inline int allowed(__u32 vid) {
  __u32 *v = bpf_map_lookup_elem(&allowed_vlans, &vid);
  return v && *v != 0;
}

SEC("xdp") int vlan_allowlist(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
  if (data + 14 > data_end) return XDP_PASS;
  __u16 type = bpf_ntohs(*(__u16 *)(data + 12));
  __u32 tags = 0, vid = 0, inner = 0;
  if (is_tpid(type)) {
    if (data + 18 > data_end) return XDP_PASS;
    vid = bpf_ntohs(*(__u16 *)(data + 14)) & 0xfff;
    type = bpf_ntohs(*(__u16 *)(data + 16));
    tags = 1;
    if (is_tpid(type)) {
      if (data + 22 > data_end) return XDP_PASS;
      inner = bpf_ntohs(*(__u16 *)(data + 18)) & 0xfff;
      type = bpf_ntohs(*(__u16 *)(data + 20));
      tags = 2;
    }
  }
  if (tags > 0 && (!allowed(vid) || (tags == 2 && !allowed(inner)) || is_tpid(type))) {
    __u64 *drops = bpf_map_lookup_elem(&vlan_drops, &vid);
    if (drops) __sync_fetch_and_add(drops, 1);
    return XDP_DROP;
  }
  return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
