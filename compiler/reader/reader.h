// Stage 1: text to datums. Every datum carries the span of the text it was read from.
#pragma once

#include "compiler/diagnostics.h"
#include "compiler/reader/datum.h"

#include <vector>

namespace xdpchain::compiler {

// Reads every top-level form of `file`. Errors go to `diags`; forms read before an error
// are still returned.
std::vector<DatumPtr> run_reader(const SourceFile &file, Diagnostics &diags);

} // namespace xdpchain::compiler
