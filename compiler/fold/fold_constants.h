// Stage 3: constants. Records `defconstant`s (in order; each may use earlier ones),
// replaces constant names by their values and folds arithmetic whose operands are all
// integers. Returns the remaining top-level forms.
#pragma once

#include "compiler/diagnostics.h"
#include "compiler/reader/datum.h"

#include <optional>
#include <vector>

namespace xdpchain::compiler {

std::vector<DatumPtr> run_fold_constants(const std::vector<DatumPtr> &forms, Diagnostics &diags);

// Folds one operator over integer operands; nullopt when `op` is not foldable. Reports
// division by zero to `diags` at `span`.
std::optional<int64_t> fold_operator(const std::string &op, const std::vector<int64_t> &args,
                                     const Span &span, Diagnostics &diags);

} // namespace xdpchain::compiler
