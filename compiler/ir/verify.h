// ir::verify(): invariants every pass must keep. Every use has a reaching definition,
// every jump target is a defined label, code does not fall off the end, and after
// register allocation only r0-r10 remain.
#pragma once

#include "common/result.h"
#include "compiler/ir/ir.h"

namespace xdpchain::compiler::ir {

struct VerifyOptions {
  bool allocated = false; // registers must all be machine registers
};

Status verify(const Function &fn, const VerifyOptions &options = {});

} // namespace xdpchain::compiler::ir
