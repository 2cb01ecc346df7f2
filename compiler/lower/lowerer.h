// Internal to lower/: the per-program lowering state shared by lower_*.cpp.
#pragma once

#include "compiler/diagnostics.h"
#include "compiler/forms/call_target.h"
#include "compiler/ir/ir.h"
#include "compiler/model/program_model.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace xdpchain::compiler::lowering {

// The result of lowering an expression: nothing, a constant, or a register. A `temp`
// register belongs to this value alone and may be modified or adopted by a variable.
struct Value {
  enum class Kind { none, constant, reg } kind = Kind::none;
  int64_t constant = 0;
  ir::Reg reg = ir::kNoReg;
  bool temp = false;

  static Value none() { return {}; }
  static Value of(int64_t c) { return Value{Kind::constant, c, ir::kNoReg, false}; }
  static Value in(ir::Reg r, bool temp) { return Value{Kind::reg, 0, r, temp}; }
  bool is_const() const { return kind == Kind::constant; }
};

struct Variable {
  ir::Reg reg = ir::kNoReg;
  std::optional<Scalar> type; // narrowed on every assignment
  bool on_stack = false;      // its address is taken with stack-addr
  int stack_offset = 0;
};

// An argument of a helper call.
struct Arg {
  enum class Kind { value, map, stack_address } kind = Kind::value;
  Value value;
  int map = -1;
  int offset = 0; // stack_address: r10 + offset
};

class Lowerer {
public:
  Lowerer(const ProgramModel &model, const ProgramDef &program, Diagnostics &diags);
  std::optional<ir::Function> run();

  // lower_control.cpp: dispatch and control flow.
  Value lower(const DatumPtr &d, bool want = true);
  void branch(const Datum &cond, int target, bool jump_if);
  Value lower_progn(const std::vector<DatumPtr> &forms, size_t from, bool want);

private:
  // lower_emit.cpp: emission helpers and errors.
  ir::Inst &emit(ir::Inst inst);
  void emit_label(int label);
  void emit_mov(ir::Reg dst, const ir::Operand &src, bool is32 = false);
  void emit_alu(uint8_t code, ir::Reg dst, const ir::Operand &src, bool is32 = false);
  void emit_jump(uint8_t code, ir::Reg a, const ir::Operand &b, int label, bool is32 = false);
  void emit_ja(int label);
  ir::Reg reg_of(const Value &v);
  ir::Reg temp_of(const Value &v);
  ir::Operand operand_of(const Value &v);
  void move_into(ir::Reg dst, const Value &v);
  Value narrow(Value v, Scalar type);
  // An error the semantic check cannot see (values known only while lowering: stack
  // space, offsets out of range, division by a computed zero).
  bool fail(const Span &span, const std::string &message);
  // Something the semantic check guarantees did not hold: a compiler bug, code "internal".
  void internal(const Span &span, const std::string &what);

  // lower_control.cpp
  Value lower_list(const Datum &d, bool want);
  Value lower_symbol(const Datum &d);
  Value lower_if(const Datum &test, const DatumPtr &then, const DatumPtr *otherwise, bool want);
  Value lower_cond(const Datum &d, bool want);
  Value lower_case(const Datum &d, bool want);
  Value lower_dotimes(const Datum &d);
  Value lower_return(const Datum &d);
  Value lower_core(const Datum &d, const CoreForm &form, bool want);

  // lower_arith.cpp
  Value lower_arith(const Datum &d);
  Value lower_compare_value(const Datum &d);
  Value lower_byteswap(const Datum &d, int bits);
  Value lower_cast(const Datum &d);

  // lower_variables.cpp
  Value lower_let(const Datum &d, bool want, bool sequential);
  Value lower_setf(const Datum &d);
  Value assign(const Datum &place, const DatumPtr &value_form, const Span &at);
  Value lower_incf(const Datum &d, bool decrement);
  Variable *find_variable(const std::string &name);
  Variable &bind(const std::string &name, Value v, std::optional<Scalar> type, bool on_stack);
  void store_variable(Variable &var, Value v);

  // lower_memory.cpp: loads, stores, ctx, structs, stack.
  std::pair<ir::Reg, int32_t> address(const Datum &ptr, int64_t offset);
  std::optional<Scalar> checked_access(const Datum &d, size_t offset_at);
  Value lower_load(const Datum &d);
  Value lower_store(const Datum &d);
  Value store_load_place(const Datum &load_form, const Value &v);
  Value load_typed(ir::Reg base, int32_t off, Scalar type);
  void store_typed(ir::Reg base, int32_t off, Scalar type, const Value &v);
  Value lower_atomic_add(const Datum &d);
  Value lower_ctx(const Datum &d);
  Value store_ctx(const Datum &place, const Value &v);
  Value lower_stack_addr(const Datum &d);
  Value stack_pointer(int offset);
  Value lower_memset(const Datum &d);
  Value lower_memcpy(const Datum &d);
  // Structs: (NAME-FIELD p), (NAME-FIELD-ptr p), (make-NAME), (sizeof NAME).
  Value lower_accessor(const Datum &d, const StructAccessor &accessor);
  Value lower_make_struct(const Datum &d, const StructDef &def);
  Value lower_sizeof(const Datum &d);
  Value store_struct_field(const Datum &place, const Value &v);

  // lower_maps.cpp: maps, helpers, tail calls.
  int map_of(const Datum &d);
  Arg key_arg(int map, const Datum &key, bool is_pointer);
  Arg value_arg(int map, const Datum &value, bool is_pointer);
  Value call_helper(int helper_id, const std::vector<Arg> &args);
  Value lower_map_op(const Datum &d, FormKind kind);
  Value lower_getmap(const Datum &d);
  Value store_getmap(const Datum &place, const DatumPtr &value_form);
  Value increment_map(const Datum &place, const Value &delta);
  Value lower_tail_call(const Datum &d);
  Value lower_helper(const Datum &d, int helper_id);
  bool value_is_pointer(const MapDef &map) const;

  void set_loc(const Span &span);

  const ProgramModel &model_;
  const ProgramDef &program_;
  Diagnostics &diags_;
  ir::Function fn_;
  ir::Reg ctx_ = ir::kNoReg;
  std::vector<std::map<std::string, Variable>> scopes_;
  ir::Loc loc_;
  bool reachable_ = true;
  bool failed_ = false;
  int depth_ = 0;

  friend struct LocScope;
};

} // namespace xdpchain::compiler::lowering
