#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/tcp.h>

struct flow { __u32 saddr, daddr; __u16 sport, dport; __u8 proto, pad1; __u16 pad2; };
struct ct_entry { __u64 first_seen, last_seen, packets, bytes; __u32 seen_flags, pad; };

struct { __uint(type, BPF_MAP_TYPE_LRU_HASH); __uint(max_entries, 65536); __type(key, struct flow); __type(value, struct ct_entry); } connections SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __type(key, __u32); __type(value, __u64); } ct_stats SEC(".maps");

static __always_inline void ct_count(__u32 key) {
  __u64 *v = bpf_map_lookup_elem(&ct_stats, &key);
  if (v) __sync_fetch_and_add(v, 1);
}

SEC("xdp") int conntrack(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
  if (data + 54 > data_end) return XDP_PASS;
  struct ethhdr *eth = data;
  if (eth->h_proto != bpf_htons(ETH_P_IP)) return XDP_PASS;
  struct iphdr *ip = data + 14;
  if (ip->protocol != 6) return XDP_PASS;
  struct tcphdr *tcp = data + 34;
  __u64 now = bpf_ktime_get_ns();
  __u64 len = data_end - data;
  __u8 flags = ((__u8 *)tcp)[13];
  struct flow key = {.saddr = ip->saddr, .daddr = ip->daddr, .sport = tcp->source,
                     .dport = tcp->dest, .proto = 6};
  struct ct_entry *ct = bpf_map_lookup_elem(&connections, &key);
  if (ct) {
    ct_count(1);
    ct->last_seen = now;
    ct->seen_flags |= flags;
    __sync_fetch_and_add(&ct->packets, 1);
    __sync_fetch_and_add(&ct->bytes, len);
    if (flags & 0x04) {
      bpf_map_delete_elem(&connections, &key);
      ct_count(3);
    }
  } else if ((flags & 0x12) == 0x02) {
    struct ct_entry entry = {.first_seen = now, .last_seen = now, .packets = 1, .bytes = len,
                             .seen_flags = flags};
    bpf_map_update_elem(&connections, &key, &entry, BPF_NOEXIST);
    ct_count(0);
  } else {
    ct_count(2);
    return XDP_DROP;
  }
  return XDP_PASS;
}
char _license[] SEC("license") = "GPL";
