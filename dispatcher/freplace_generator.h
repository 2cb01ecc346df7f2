// Generates the freplace dispatcher for exactly the chain it serves: a main function that
// calls one global stub per slot (`int slotN(struct xdp_md *ctx)`, each an freplace target),
// counts, and applies each slot's continue set; off the end the verdict is XDP_PASS.
#pragma once

#include "common/result.h"
#include "dispatcher/dispatcher_spec.h"

namespace xdpchain::dispatcher {

Result<ProgramImage> generate_freplace_dispatcher(const DispatcherSpec &spec);

} // namespace xdpchain::dispatcher
