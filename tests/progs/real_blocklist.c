/* Realistic member 4 of 8: drops IPv4 packets whose source address is a key of the hash
 * map `blocked_src` (network byte order) and counts the drop in the entry's value. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 1024);
  __type(key, __u32);
  __type(value, __u64);
} blocked_src SEC(".maps");

SEC("xdp")
int real_blocklist(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data;
  void *data_end = (void *)(long)ctx->data_end;
  if (data + sizeof(struct ethhdr) + sizeof(struct iphdr) > data_end) return XDP_PASS;
  struct ethhdr *eth = data;
  if (eth->h_proto != bpf_htons(ETH_P_IP)) return XDP_PASS;
  struct iphdr *ip = data + sizeof(struct ethhdr);
  __u32 saddr = ip->saddr;
  __u64 *hits = bpf_map_lookup_elem(&blocked_src, &saddr);
  if (!hits) return XDP_PASS;
  __sync_fetch_and_add(hits, 1);
  return XDP_DROP;
}

char _license[] SEC("license") = "GPL";
