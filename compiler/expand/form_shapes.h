// Which items of a form are code. The expander only expands macro calls in evaluated
// positions: struct field lists, map options, binding names, `case` keys and `declare`
// forms are data and are never treated as calls. Core forms get their shape from the
// operand kinds in compiler/forms/core_forms.cpp, the one description of them.
#pragma once

#include <cstddef>
#include <string>

namespace xdpchain::compiler {

enum class FormWalk {
  data,     // nothing inside is code: quote, declare, defstruct, defmap, ...
  from,     // items from `first` on are code (defconstant's value, defprog's body)
  bindings, // let/let*: item 1 is ((NAME [TYPE] INIT)...), only INIT is code
  counter,  // dotimes: item 1 is (VAR COUNT), only COUNT is code
  clauses,  // cond: every clause is a list of code, not a call
  keyed,    // case: item 1 is code, clauses are (KEYS BODY...) with BODY code
};

struct FormShape {
  const char *head;
  FormWalk walk;
  size_t first; // for FormWalk::from
};

// The shape of a form whose head is `head`, or nullptr for an ordinary call.
const FormShape *find_form_shape(const std::string &head);

} // namespace xdpchain::compiler
