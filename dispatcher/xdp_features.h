// What an interface's driver says it can do with XDP, asked of the kernel's netdev generic
// netlink family (Linux 6.3+): nothing is loaded or attached, so `xdpchain features IFACE`
// leaves the interface as it is.
#pragma once

#include "common/result.h"

#include <cstdint>
#include <string>

namespace xdpchain::dispatcher {

// NETDEV_XDP_ACT_* bits (linux/netdev.h).
inline constexpr uint64_t kXdpActBasic = 1u << 0;
inline constexpr uint64_t kXdpActRxSg = 1u << 5;

// The driver's XDP feature bits for `ifindex` in the calling thread's network namespace; an
// error of kind not_supported when the kernel has no netdev family.
Result<uint64_t> query_xdp_features(int ifindex);

// "basic, redirect, rx-sg" for the bits set in `features`; "none" when none is.
std::string xdp_features_to_string(uint64_t features);

} // namespace xdpchain::dispatcher
