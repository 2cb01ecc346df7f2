// Clean-ups on allocated IR: jump threading, jumps to the next instruction, a conditional
// jump over an unconditional one, a `goto` to a bare exit replaced by the exit, and a
// return block repeated further on shared through one conditional jump instead.
#pragma once

#include "compiler/ir/ir.h"

namespace xdpchain::compiler {

void run_peephole(ir::Function &fn);

} // namespace xdpchain::compiler
