#include "compiler/forms/core_forms.h"

#include <unordered_map>

namespace xdpchain::compiler {

namespace {

using K = FormKind;
using O = Operand;
constexpr uint8_t kAny = kAnyCount;

// clang-format off
const CoreForm kCoreForms[] = {
    {"progn",   K::progn,    0, kAny, "(progn FORM...)", {}},
    {"if",      K::if_,      2, 3,    "(if TEST THEN [ELSE])", {}},
    {"let",     K::let,      1, kAny, "(let ((VAR INIT)...) BODY...)", {O::bindings}},
    {"let*",    K::let_star, 1, kAny, "(let* ((VAR INIT)...) BODY...)", {O::bindings}},
    {"cond",    K::cond,     0, kAny, "(cond (TEST BODY...)...)", {}, O::clause},
    {"case",    K::case_,    1, kAny, "(case KEY (KEYS BODY...)...)", {O::expr}, O::keyed_clause},
    {"dotimes", K::dotimes,  1, kAny, "(dotimes (VAR COUNT) BODY...)", {O::counter}},
    {"return",  K::return_,  0, 1,    "(return [VALUE])", {}},
    {"setf",    K::setf,     2, kAny, "(setf PLACE VALUE [PLACE VALUE]...)", {}, O::expr, true},
    {"incf",    K::incf,     1, 2,    "(incf PLACE [DELTA])", {O::counter_map}},
    {"decf",    K::decf,     1, 2,    "(decf PLACE [DELTA])", {O::counter_map}},
    {"declare", K::declare,  0, kAny, "(declare (type TYPE VAR...)...)", {}, O::data},
    {"quote",   K::quote,    1, 1,    "(quote INTEGER)", {O::data}},
    {"and",     K::and_,     0, kAny, "(and X...)", {}},
    {"or",      K::or_,      0, kAny, "(or X...)", {}},
    {"not",     K::not_,     1, 1,    "(not X)", {}},
    {"=",       K::compare,  2, 2,    "(= X Y)", {}},
    {"/=",      K::compare,  2, 2,    "(/= X Y)", {}},
    {"<",       K::compare,  2, 2,    "(< X Y)", {}},
    {"<=",      K::compare,  2, 2,    "(<= X Y)", {}},
    {">",       K::compare,  2, 2,    "(> X Y)", {}},
    {">=",      K::compare,  2, 2,    "(>= X Y)", {}},
    {"s<",      K::compare,  2, 2,    "(s< X Y)", {}},
    {"s<=",     K::compare,  2, 2,    "(s<= X Y)", {}},
    {"s>",      K::compare,  2, 2,    "(s> X Y)", {}},
    {"s>=",     K::compare,  2, 2,    "(s>= X Y)", {}},
    {"+",       K::arith,    2, kAny, "(+ X Y...)", {}},
    {"-",       K::arith,    1, kAny, "(- X Y...) or (- X)", {}},
    {"*",       K::arith,    2, kAny, "(* X Y...)", {}},
    {"/",       K::arith,    2, 2,    "(/ X Y)", {}},
    {"mod",     K::arith,    2, 2,    "(mod X Y)", {}},
    {"logand",  K::arith,    2, kAny, "(logand X Y...)", {}},
    {"logior",  K::arith,    2, kAny, "(logior X Y...)", {}},
    {"logxor",  K::arith,    2, kAny, "(logxor X Y...)", {}},
    {"<<",      K::arith,    2, 2,    "(<< X N)", {}},
    {">>",      K::arith,    2, 2,    "(>> X N)", {}},
    {">>>",     K::arith,    2, 2,    "(>>> X N)", {}},
    {"lognot",  K::lognot,   1, 1,    "(lognot X)", {}},
    {"ash",     K::ash,      2, 2,    "(ash X SHIFT)", {O::expr, O::constant}},
    {"ntohs",   K::swap16,   1, 1,    "(ntohs X)", {}},
    {"htons",   K::swap16,   1, 1,    "(htons X)", {}},
    {"ntohl",   K::swap32,   1, 1,    "(ntohl X)", {}},
    {"htonl",   K::swap32,   1, 1,    "(htonl X)", {}},
    {"ntohll",  K::swap64,   1, 1,    "(ntohll X)", {}},
    {"htonll",  K::swap64,   1, 1,    "(htonll X)", {}},
    {"cast",    K::cast,     2, 2,    "(cast TYPE X)", {O::type, O::expr}},
    {"load",    K::load,     2, 3,    "(load TYPE PTR [OFFSET])", {O::type, O::expr, O::literal}},
    {"store",   K::store,    4, 4,    "(store TYPE PTR OFFSET VALUE)",
                {O::type, O::expr, O::literal, O::expr}},
    {"atomic-add", K::atomic_add, 3, 4, "(atomic-add PTR OFFSET VALUE [TYPE])",
                {O::expr, O::literal, O::expr, O::atomic_type}},
    {"ctx",     K::ctx,      1, 1,    "(ctx FIELD)", {O::field}},
    {"ctx-ptr", K::ctx_ptr,  0, 0,    "(ctx-ptr)", {}},
    {"stack-addr", K::stack_addr, 1, 1, "(stack-addr VARIABLE)", {O::let_variable}},
    {"memset",  K::memset,   4, 4,    "(memset PTR OFFSET VALUE N)",
                {O::expr, O::literal, O::literal, O::byte_count}},
    {"memcpy",  K::memcpy,   5, 5,    "(memcpy DST DOFF SRC SOFF N)",
                {O::expr, O::literal, O::expr, O::literal, O::byte_count}},
    {"tail-call", K::tail_call, 2, 2, "(tail-call PROG-ARRAY INDEX)", {O::prog_array, O::expr}},
    {"getmap",  K::getmap,   2, 2,    "(getmap MAP KEY)", {O::map, O::expr}},
    {"map-lookup",     K::map_lookup, 2, 2, "(map-lookup MAP KEY)", {O::map, O::expr}},
    {"map-lookup-ptr", K::map_lookup, 2, 2, "(map-lookup-ptr MAP KEY-PTR)", {O::map, O::expr}},
    {"map-delete",     K::map_delete, 2, 2, "(map-delete MAP KEY)", {O::map, O::expr}},
    {"map-delete-ptr", K::map_delete, 2, 2, "(map-delete-ptr MAP KEY-PTR)", {O::map, O::expr}},
    {"remmap",         K::map_delete, 2, 2, "(remmap MAP KEY)", {O::map, O::expr}},
    {"map-update",     K::map_update, 3, 4, "(map-update MAP KEY VALUE [FLAGS])", {O::map}},
    {"map-update-ptr", K::map_update, 3, 4, "(map-update-ptr MAP KEY-PTR VALUE-PTR [FLAGS])",
                       {O::map}},
    {"setmap",         K::map_update, 3, 4, "(setmap MAP KEY VALUE [FLAGS])", {O::map}},
    {"sizeof",  K::sizeof_,  1, 1,    "(sizeof STRUCT-OR-TYPE)", {O::size_type}},
};
// clang-format on

} // namespace

Operand CoreForm::operand(size_t i) const {
  if (pairs) return i % 2 == 1 ? Operand::place : Operand::expr;
  if (i >= 1 && i <= at.size() && at[i - 1] != Operand::none) return at[i - 1];
  return rest;
}

bool CoreForm::arity_ok(size_t operands) const {
  if (operands < min_args || (max_args != kAnyCount && operands > max_args)) return false;
  return !pairs || operands % 2 == 0;
}

bool is_code(Operand kind) {
  switch (kind) {
  case Operand::expr:
  case Operand::literal:
  case Operand::byte_count:
  case Operand::constant:
  case Operand::place:
  case Operand::counter_map:
  case Operand::bindings:
  case Operand::counter:
  case Operand::clause:
  case Operand::keyed_clause:
    return true;
  default:
    return false;
  }
}

const CoreForm *find_core_form(const std::string &name) {
  static const std::unordered_map<std::string, const CoreForm *> by_name = [] {
    std::unordered_map<std::string, const CoreForm *> m;
    for (const CoreForm &f : kCoreForms)
      m[f.name] = &f;
    return m;
  }();
  auto it = by_name.find(name);
  return it == by_name.end() ? nullptr : it->second;
}

} // namespace xdpchain::compiler
