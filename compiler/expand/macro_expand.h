// Stage 2: macro expansion. Collects `defmacro`s (the user's and the prelude's) and
// eval-when helper functions, expands every macro call in a code position until none is
// left (form_shapes.h says which positions are code), rewrites shorthand forms
// (desugar.h), and drops `in-package`. At top level, a `progn`'s forms count as written in
// its place, and a `defmacro` or `eval-when` that a macro call expands into is defined
// there, for every form expanded after it.
#pragma once

#include "compiler/diagnostics.h"
#include "compiler/reader/datum.h"

#include <vector>

namespace xdpchain::compiler {

std::vector<DatumPtr> run_macro_expansion(const std::vector<DatumPtr> &forms, Diagnostics &diags);

} // namespace xdpchain::compiler
