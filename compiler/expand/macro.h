// A `defmacro` template: its parameter list and its body, plus instantiation (binding the
// call's arguments, then evaluating the backquoted body).
#pragma once

#include "compiler/diagnostics.h"
#include "compiler/reader/datum.h"

#include <map>
#include <optional>
#include <string>

namespace xdpchain::compiler {

struct MacroDef {
  std::string name;
  DatumPtr params; // the parameter list as written
  DatumPtr body;   // the single body form, usually `(quasiquote ...)`
  Span span;
};

// Parses `(defmacro NAME (PARAMS...) BODY)`; reports problems to `diags`.
std::optional<MacroDef> parse_defmacro(const Datum &form, Diagnostics &diags);

// Expands one call of `macro`. Returns nullptr after reporting an error.
DatumPtr instantiate_macro(const MacroDef &macro, const Datum &call, Diagnostics &diags);

} // namespace xdpchain::compiler
