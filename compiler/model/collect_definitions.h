// Stage 4: checks every top-level form (defstruct, defmap, defprog) and builds the
// ProgramModel: struct layouts, map definitions, program options.
#pragma once

#include "compiler/diagnostics.h"
#include "compiler/model/program_model.h"

namespace xdpchain::compiler {

ProgramModel run_collect_definitions(const std::vector<DatumPtr> &forms, Diagnostics &diags);

} // namespace xdpchain::compiler
