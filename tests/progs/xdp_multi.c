/* Several XDP programs in one object, so one must be chosen by name (`--program`):
 *   handler_pass (SEC "xdp/handler_pass")       XDP_PASS
 *   handler_drop_icmp (SEC "xdp/handler_drop")  drops IPv4 ICMP
 *   multi_main (SEC "xdp")                      drops IPv4 UDP
 * plus a static helper, which is not a program. libbpf 1.1 does not know the `xdp/NAME`
 * section names: a loader has to set the program type itself. */
#include "packet.h"

static __noinline int helper_is_icmp(struct xdp_md *ctx) {
  return is_ipv4_icmp(ctx);
}

SEC("xdp/handler_pass")
int handler_pass(struct xdp_md *ctx) {
  return XDP_PASS;
}

SEC("xdp/handler_drop")
int handler_drop_icmp(struct xdp_md *ctx) {
  return helper_is_icmp(ctx) ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int multi_main(struct xdp_md *ctx) {
  struct iphdr *ip = ipv4_header(ctx);
  return ip && ip->protocol == IPPROTO_UDP ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
