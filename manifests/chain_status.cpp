// read_chain_status() (include/xdpchain/status.h): dispatcher::read_status() inside a
// network namespace.
#include "common/netns.h"
#include "dispatcher/chain.h"

namespace xdpchain {

Result<ChainStatus> read_chain_status(const std::string &interface, const std::string &netns,
                                      const ChainOptions &options) {
  auto scope = NetnsScope::enter(netns);
  if (!scope) return std::move(scope).error();
  return dispatcher::read_status(interface, options);
}

} // namespace xdpchain
