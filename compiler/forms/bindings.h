// The shape of a let binding, and whether a let body takes a variable's address: read by
// the semantic check and by lowering, so both see bindings the same way.
#pragma once

#include "compiler/reader/datum.h"

#include <optional>
#include <string>

namespace xdpchain::compiler {

// VAR, (VAR), (VAR INIT), (VAR TYPE) or (VAR TYPE INIT). `type` is set when the binding
// names one (item 1 of a three-item binding, or a scalar type name as the only item after
// VAR); it is not checked to be a known type here.
struct BindingParts {
  const Datum *name = nullptr;
  const Datum *type = nullptr;
  const Datum *init = nullptr;
};
std::optional<BindingParts> parse_binding(const Datum &binding);

// Whether the body of the let form `let_form` (its items from 2 on) contains
// (stack-addr NAME): such a variable lives on the stack.
bool address_taken_in_body(const Datum &let_form, const std::string &name);

} // namespace xdpchain::compiler
