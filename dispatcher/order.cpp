#include "dispatcher/order.h"

#include <algorithm>
#include <numeric>
#include <tuple>

namespace xdpchain::dispatcher {

std::vector<size_t> run_order(const std::vector<OrderKey> &keys) {
  std::vector<size_t> order(keys.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return std::tie(keys[a].priority, keys[a].label, keys[a].sequence) <
           std::tie(keys[b].priority, keys[b].label, keys[b].sequence);
  });
  return order;
}

} // namespace xdpchain::dispatcher
