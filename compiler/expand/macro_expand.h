// Stage 2: macro expansion. Collects `defmacro`s (the user's and the prelude's), expands
// every macro call until none is left, and drops `in-package`. Binding positions (let
// variables, dotimes counters) are not treated as calls.
#pragma once

#include "compiler/diagnostics.h"
#include "compiler/reader/datum.h"

#include <vector>

namespace xdpchain::compiler {

std::vector<DatumPtr> run_macro_expansion(const std::vector<DatumPtr> &forms, Diagnostics &diags);

} // namespace xdpchain::compiler
