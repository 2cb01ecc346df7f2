// Text for what apply() did or would do on one interface, program by program, shared by
// `xdpchain apply` and `xdpchain diff` so that both speak the same way.
#pragma once

#include "dispatcher/chain.h"
#include "dispatcher/chain_spec.h"

#include <string>
#include <vector>

namespace xdpchain::manifests {

// "added", "removed", "reordered", "changed", "unchanged".
const char *change_name(dispatcher::MemberChange change);

// "  + added      drop-icmp   priority 20": one line per delta, labels aligned, no newline
// at the end of the last line.
std::string format_deltas(const std::vector<dispatcher::MemberDelta> &deltas);

// Differences of the chain as a whole that member deltas do not show ("mode: native ->
// generic"). `current` is the running chain; a desired backend of auto matches any.
std::vector<std::string> chain_differences(const dispatcher::ChainSpec &current,
                                           const dispatcher::ChainSpec &desired);

// True when the report shows any member that is not unchanged, or a swap.
bool has_changes(const dispatcher::ApplyReport &report);

} // namespace xdpchain::manifests
