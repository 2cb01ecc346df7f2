// Stage 5: the semantic check. Runs over every program body after macro expansion,
// constant folding and the definitions, before lowering, and reports every error it finds
// (up to kMaxSemanticErrors): the arity of core forms, struct accessors and helpers
// (compiler/forms/core_forms.cpp is the one table of forms), unbound and duplicate
// variables, unknown forms, maps, struct types and context fields, and operands of the
// wrong kind (a map used as a value, a type that is not one, a non-constant where a
// constant is required, an integer key for a map whose key needs a pointer). Lowering
// relies on what it checks.
#pragma once

#include "compiler/diagnostics.h"
#include "compiler/model/program_model.h"

#include <cstddef>

namespace xdpchain::compiler {

inline constexpr size_t kMaxSemanticErrors = 20;

// Returns false when it recorded an error.
bool run_semantic_check(const ProgramModel &model, Diagnostics &diags);

} // namespace xdpchain::compiler
