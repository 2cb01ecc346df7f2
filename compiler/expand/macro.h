// A `defmacro`: its name, lambda list and body. The body is ordinary compile-time code
// (a template is just a body that is one backquoted form); CtInterpreter expands calls.
#pragma once

#include "compiler/diagnostics.h"
#include "compiler/reader/datum.h"

#include <optional>
#include <string>
#include <vector>

namespace xdpchain::compiler {

struct MacroDef {
  std::string name;
  DatumPtr params;            // the lambda list as written
  std::vector<DatumPtr> body; // evaluated as a progn; docstring and declare forms dropped
  Span span;
};

// Parses `(defmacro NAME (PARAMS...) [DOCSTRING] BODY...)`; reports problems to `diags`.
std::optional<MacroDef> parse_defmacro(const Datum &form, Diagnostics &diags);

} // namespace xdpchain::compiler
