// The XDP programs attached to one interface, asked of the kernel for that interface alone
// (RTM_GETLINK by ifindex). libbpf's bpf_xdp_query() dumps every link of the namespace and
// picks one out, so asking about each of N interfaces cost N dumps of N links; on a node
// with hundreds of pod interfaces that made status, applies and /metrics quadratic.
#pragma once

#include "common/result.h"

#include <cstdint>

namespace xdpchain {

struct LinkXdp {
  uint32_t drv_prog_id = 0; // native mode
  uint32_t skb_prog_id = 0; // generic mode
  uint32_t hw_prog_id = 0;  // offloaded
};

// In the calling thread's network namespace. No such ifindex: nothing attached (as
// bpf_xdp_query answers).
Result<LinkXdp> query_link_xdp(int ifindex);

} // namespace xdpchain
