#include "compiler/expand/form_shapes.h"

#include "compiler/forms/core_forms.h"

namespace xdpchain::compiler {

namespace {

// Top-level and compile-time forms; the core forms of program bodies get their shape
// from their operand kinds (compiler/forms/core_forms.cpp).
const FormShape kShapes[] = {
    {"function", FormWalk::data, 0},  {"defstruct", FormWalk::data, 0},
    {"defmap", FormWalk::data, 0},    {"in-package", FormWalk::data, 0},
    {"eval-when", FormWalk::data, 0}, {"defconstant", FormWalk::from, 2},
    {"defprog", FormWalk::from, 3},
};

const FormShape kData{"", FormWalk::data, 0};
const FormShape kBindings{"", FormWalk::bindings, 0};
const FormShape kCounter{"", FormWalk::counter, 0};
const FormShape kClauses{"", FormWalk::clauses, 0};
const FormShape kKeyed{"", FormWalk::keyed, 0};

const FormShape *shape_of(const CoreForm &form) {
  switch (form.operand(1)) {
  case Operand::bindings:
    return &kBindings;
  case Operand::counter:
    return &kCounter;
  case Operand::clause:
    return &kClauses;
  default:
    break;
  }
  if (form.rest == Operand::keyed_clause) return &kKeyed;
  if (form.max_args == 0) return nullptr;
  bool any_code = is_code(form.rest) && form.max_args > form.at.size();
  for (size_t i = 1; i <= form.at.size() && i <= form.max_args; ++i)
    any_code = any_code || is_code(form.operand(i));
  return any_code ? nullptr : &kData; // quote, declare, sizeof, ctx, stack-addr
}

} // namespace

const FormShape *find_form_shape(const std::string &head) {
  for (const FormShape &shape : kShapes)
    if (head == shape.head) return &shape;
  if (const CoreForm *core = find_core_form(head)) return shape_of(*core);
  return nullptr;
}

} // namespace xdpchain::compiler
