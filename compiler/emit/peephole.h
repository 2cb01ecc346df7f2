// Clean-ups on allocated IR: jump threading, jumps to the next instruction, a conditional
// jump over an unconditional one, small return blocks duplicated instead of jumped to.
#pragma once

#include "compiler/ir/ir.h"

namespace xdpchain::compiler {

void run_peephole(ir::Function &fn);

} // namespace xdpchain::compiler
