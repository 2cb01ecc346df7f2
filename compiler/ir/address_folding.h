// Folds pointer arithmetic into memory offsets: after `v = p; v += C`, loads and stores
// through v use p with the offset C added, as a C compiler would, when p never changes
// and v is only ever used as an address. Runs before register allocation.
#pragma once

#include "compiler/ir/ir.h"

namespace xdpchain::compiler::ir {

void run_address_folding(Function &fn);

} // namespace xdpchain::compiler::ir
