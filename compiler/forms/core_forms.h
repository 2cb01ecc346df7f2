// The core forms of program bodies (what is left after macro expansion and desugaring),
// as one table: each form's name, arity, usage and what each operand is. Read by the
// expander (which items are code, expand/form_shapes.cpp), the semantic check (arity,
// names, operand kinds, sema/) and lowering (dispatch, lower/lower_control.cpp).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace xdpchain::compiler {

// What lowering does with a form; several names share one (the ten comparisons).
enum class FormKind : uint8_t {
  progn,
  if_,
  let,
  let_star,
  cond,
  case_,
  dotimes,
  return_,
  setf,
  incf,
  decf,
  declare,
  quote,
  and_,
  or_,
  not_,
  compare,
  arith,
  lognot,
  ash,
  swap16,
  swap32,
  swap64,
  cast,
  load,
  store,
  atomic_add,
  ctx,
  ctx_ptr,
  stack_addr,
  memset,
  memcpy,
  tail_call,
  getmap,
  map_lookup,
  map_delete,
  map_update,
  sizeof_,
};

// What one operand of a core form must be.
enum class Operand : uint8_t {
  none,         // (table filler: the position takes the form's `rest` kind)
  expr,         // an expression, evaluated
  literal,      // an integer as written (after constant folding): offsets, memset bytes
  byte_count,   // a literal from 0 to kMaxByteCount (memset, memcpy)
  constant,     // an expression whose value is known when compiling (dotimes, ash)
  type,         // a scalar type: u8 u16 u32 u64 i8 i16 i32 i64
  atomic_type,  // u32 u64 i32 i64
  size_type,    // a defstruct name or a scalar type (sizeof)
  map,          // the name of a defmap
  prog_array,   // the name of a defmap of :type :prog-array
  field,        // a context field of the program's type
  let_variable, // a variable bound by let or let* (stack-addr)
  place,        // something setf can assign to
  counter_map,  // (getmap MAP KEY) of a map holding integers (incf, decf)
  bindings,     // ((VAR [TYPE] [INIT])...) of let and let*
  counter,      // (VAR COUNT) of dotimes, COUNT a constant
  clause,       // (TEST BODY...) of cond
  keyed_clause, // (KEYS BODY...) of case, KEYS integers, a list of them, t or otherwise
  data,         // never evaluated (quote, declare)
};

inline constexpr uint8_t kAnyCount = 255; // max_args: no upper bound
inline constexpr int64_t kMaxByteCount = 512;
// Expressions nest at most this deep (the check and lowering recurse over them).
inline constexpr int kMaxExpressionDepth = 150;

struct CoreForm {
  const char *name;
  FormKind kind;
  uint8_t min_args;
  uint8_t max_args;          // kAnyCount: unbounded
  const char *usage;         // "(if TEST THEN [ELSE])"
  std::array<Operand, 5> at; // operand kinds of items 1..5; Operand::none: `rest`
  Operand rest = Operand::expr;
  bool pairs = false; // setf: PLACE VALUE pairs, an even number of operands

  // The kind of operand `i` (1-based, as the item's index in the form).
  Operand operand(size_t i) const;
  bool arity_ok(size_t operands) const;
};

// Whether macro calls inside an operand of this kind are expanded: it holds code (literals
// too, since constant names and macros may stand for them until constants are folded).
bool is_code(Operand kind);

// The core form named `name`, or nullptr.
const CoreForm *find_core_form(const std::string &name);

} // namespace xdpchain::compiler
