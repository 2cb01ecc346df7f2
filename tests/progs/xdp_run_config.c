/* Carries libxdp's XDP_RUN_CONFIG metadata: priority 15, chain call (continue) on XDP_PASS
 * and XDP_DROP. It drops IPv4 ICMP, so in a chain that honours the metadata, ping still
 * reaches the next member; run alone it falls off the end of the chain (XDP_PASS). */
#include "packet.h"

#include <xdp/xdp_helpers.h>

struct {
  __uint(priority, 15);
  __uint(XDP_PASS, 1);
  __uint(XDP_DROP, 1);
} XDP_RUN_CONFIG(xdp_run_config_drop_icmp);

SEC("xdp")
int xdp_run_config_drop_icmp(struct xdp_md *ctx) {
  return is_ipv4_icmp(ctx) ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
