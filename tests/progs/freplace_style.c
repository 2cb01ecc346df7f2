/* Written the way freplace programs for a dispatcher stub are: SEC("freplace/slot0") with
 * the stub's prototype. Drops IPv4 ICMP, passes everything else. It needs a target when
 * loaded as an extension; a loader may also load its code as a plain XDP program. */
#include "packet.h"

SEC("freplace/slot0")
int freplace_drop_icmp(struct xdp_md *ctx) {
  return is_ipv4_icmp(ctx) ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
