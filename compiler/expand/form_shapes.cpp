#include "compiler/expand/form_shapes.h"

namespace xdpchain::compiler {

namespace {

const FormShape kShapes[] = {
    {"quote", FormWalk::data, 0},       {"function", FormWalk::data, 0},
    {"declare", FormWalk::data, 0},     {"defstruct", FormWalk::data, 0},
    {"defmap", FormWalk::data, 0},      {"in-package", FormWalk::data, 0},
    {"eval-when", FormWalk::data, 0},   {"sizeof", FormWalk::data, 0},
    {"defconstant", FormWalk::from, 2}, {"defprog", FormWalk::from, 3},
    {"let", FormWalk::bindings, 0},     {"let*", FormWalk::bindings, 0},
    {"dotimes", FormWalk::counter, 0},  {"cond", FormWalk::clauses, 0},
    {"case", FormWalk::keyed, 0},
};

} // namespace

const FormShape *find_form_shape(const std::string &head) {
  for (const FormShape &shape : kShapes)
    if (head == shape.head) return &shape;
  return nullptr;
}

} // namespace xdpchain::compiler
