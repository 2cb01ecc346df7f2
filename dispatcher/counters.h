// The per-CPU counters map an interface's chain writes (layout in dispatcher_spec.h). It is
// pinned once per interface and reused by every dispatcher, so counts survive swaps.
#pragma once

#include "common/fd.h"
#include "common/result.h"
#include "dispatcher/chain.h"

#include <vector>

namespace xdpchain::dispatcher {

Result<Fd> create_counters_map();
// Sums over CPUs; one Counters per block.
Result<std::vector<Counters>> read_counters(int counters_fd);
Counters subtract(const Counters &now, const Counters &baseline);

} // namespace xdpchain::dispatcher
