// The order a chain runs its members in: lower priority first; ties broken by label, then
// by the order the members were added (docs/protocol.md). Deterministic for equal inputs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace xdpchain::dispatcher {

struct OrderKey {
  int priority = 0;
  std::string label;
  uint32_t sequence = 0; // order added
};

// Indexes into `keys`, in run order.
std::vector<size_t> run_order(const std::vector<OrderKey> &keys);

} // namespace xdpchain::dispatcher
