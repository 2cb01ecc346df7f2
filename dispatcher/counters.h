// The per-CPU counters map an interface's chain writes (layout in dispatcher_spec.h). It is
// pinned once per interface and reused by every dispatcher, so counts survive swaps.
#pragma once

#include "common/fd.h"
#include "common/result.h"
#include "dispatcher/chain.h"
#include "dispatcher/dispatcher_spec.h"

#include <vector>

namespace xdpchain::dispatcher {

Result<MapFd> create_counters_map();
// One block's words (dispatcher_spec.h) as counts, in the layout the chain's code writes.
Counters decode_block(const uint64_t *words, CounterLayout layout);
// Sums over CPUs; one Counters per block.
Result<std::vector<Counters>> read_counters(MapRef counters, CounterLayout layout);
Counters subtract(const Counters &now, const Counters &baseline);

} // namespace xdpchain::dispatcher
