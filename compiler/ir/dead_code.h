// Removes unreachable blocks and instructions whose only effect is writing a register
// nobody reads. Runs before register allocation and again after the peephole pass.
#pragma once

#include "compiler/ir/ir.h"

namespace xdpchain::compiler::ir {

void run_dead_code_elimination(Function &fn);

} // namespace xdpchain::compiler::ir
