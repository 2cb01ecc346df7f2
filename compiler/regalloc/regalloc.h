// Stage 6: register allocation. Colours the interference graph of the virtual registers
// with r0-r9: values live across a helper call can only get r6-r9 (calls clobber r0-r5),
// moves are coalesced where the graph allows, and what does not fit is spilled to the
// stack. Afterwards only machine registers remain.
#pragma once

#include "common/result.h"
#include "compiler/ir/ir.h"

namespace xdpchain::compiler {

struct RegallocStats {
  int spilled = 0;
};

Result<RegallocStats> run_register_allocation(ir::Function &fn);

} // namespace xdpchain::compiler
