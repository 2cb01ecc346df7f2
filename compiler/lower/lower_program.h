// Stage 5: lowering. Turns one program's body into IR over virtual registers: control
// flow becomes jumps, maps and helpers become calls with r1-r5 arguments, structs and map
// keys get stack slots.
#pragma once

#include "compiler/diagnostics.h"
#include "compiler/ir/ir.h"
#include "compiler/model/program_model.h"

#include <optional>

namespace xdpchain::compiler {

std::optional<ir::Function> run_lowering(const ProgramModel &model, const ProgramDef &program,
                                         Diagnostics &diags);

} // namespace xdpchain::compiler
