// Lowering of control flow (progn, if, cond, case, dotimes, return, conditional branches),
// the dispatch over form names, and the entry point run_lowering().
#include "compiler/lower/lower_ops.h"
#include "compiler/lower/lower_program.h"
#include "compiler/lower/lowerer.h"

#include "compiler/fold/fold_constants.h"
#include "compiler/forms/call_target.h"

#include <linux/bpf.h>

#include <unordered_map>

namespace xdpchain::compiler {

namespace lowering {

namespace {

constexpr int kMaxDepth = kMaxExpressionDepth;

} // namespace

// Keeps the instruction location of the form being lowered, restoring the parent's after.
struct LocScope {
  LocScope(Lowerer &l, const Span &span) : l_(l), saved_(l.loc_) { l.set_loc(span); }
  ~LocScope() { l_.loc_ = saved_; }
  Lowerer &l_;
  ir::Loc saved_;
};

Value Lowerer::lower(const DatumPtr &d, bool want) {
  if (failed_) return Value::none();
  LocScope scope(*this, d->span);
  if (++depth_ > kMaxDepth) {
    --depth_;
    internal(d->span, "expression nested too deep");
    return Value::none();
  }
  Value out;
  switch (d->kind) {
  case DatumKind::integer:
    out = Value::of(d->integer);
    break;
  case DatumKind::symbol:
    out = lower_symbol(*d);
    break;
  case DatumKind::list:
    out = lower_list(*d, want);
    break;
  case DatumKind::keyword:
  case DatumKind::string:
    internal(d->span, "unchecked " + to_string(*d) + " in an expression");
    break;
  }
  --depth_;
  return out;
}

Value Lowerer::lower_symbol(const Datum &d) {
  if (Variable *var = find_variable(d.text)) {
    if (var->on_stack) return load_typed(ir::kFramePointer, var->stack_offset, Scalar::u64);
    return Value::in(var->reg, false);
  }
  if (d.text == "t") return Value::of(1);
  if (d.text == "nil") return Value::of(0);
  if (d.text == "ctx") return Value::in(ctx_, false);
  internal(d.span, "unchecked name '" + d.text + "'");
  return Value::none();
}

Value Lowerer::lower_progn(const std::vector<DatumPtr> &forms, size_t from, bool want) {
  Value last = Value::of(0);
  for (size_t i = from; i < forms.size() && !failed_; ++i) {
    if (forms[i]->is_string() && i + 1 < forms.size()) continue; // docstring
    last = lower(forms[i], want && i + 1 == forms.size());
  }
  return last;
}

// The core forms (compiler/forms/core_forms.cpp names them and their arity), then struct
// accessors and constructors, then kernel helpers: resolve_call() decides which.
Value Lowerer::lower_core(const Datum &d, const CoreForm &form, bool want) {
  switch (form.kind) {
  case FormKind::progn:
    return lower_progn(d.items, 1, want);
  case FormKind::if_:
    return lower_if(*d[1], d[2], d.size() == 4 ? &d.items[3] : nullptr, want);
  case FormKind::let:
  case FormKind::let_star:
    return lower_let(d, want, form.kind == FormKind::let_star);
  case FormKind::cond:
    return lower_cond(d, want);
  case FormKind::case_:
    return lower_case(d, want);
  case FormKind::dotimes:
    return lower_dotimes(d);
  case FormKind::return_:
    return lower_return(d);
  case FormKind::setf:
    return lower_setf(d);
  case FormKind::incf:
  case FormKind::decf:
    return lower_incf(d, form.kind == FormKind::decf);
  case FormKind::declare:
    return Value::of(0);
  case FormKind::quote:
    return Value::of(d[1]->integer);
  case FormKind::and_:
  case FormKind::or_:
    if (d.size() == 1) return Value::of(form.kind == FormKind::and_ ? 1 : 0);
    return lower_compare_value(d);
  case FormKind::not_:
  case FormKind::compare:
    return lower_compare_value(d);
  case FormKind::arith:
  case FormKind::lognot:
  case FormKind::ash:
    return lower_arith(d);
  case FormKind::swap16:
    return lower_byteswap(d, 16);
  case FormKind::swap32:
    return lower_byteswap(d, 32);
  case FormKind::swap64:
    return lower_byteswap(d, 64);
  case FormKind::cast:
    return lower_cast(d);
  case FormKind::load:
    return lower_load(d);
  case FormKind::store:
    return lower_store(d);
  case FormKind::atomic_add:
    return lower_atomic_add(d);
  case FormKind::ctx:
  case FormKind::ctx_ptr:
    return lower_ctx(d);
  case FormKind::stack_addr:
    return lower_stack_addr(d);
  case FormKind::memset:
    return lower_memset(d);
  case FormKind::memcpy:
    return lower_memcpy(d);
  case FormKind::tail_call:
    return lower_tail_call(d);
  case FormKind::getmap:
    return lower_getmap(d);
  case FormKind::map_lookup:
  case FormKind::map_delete:
  case FormKind::map_update:
    return lower_map_op(d, form.kind);
  case FormKind::sizeof_:
    return lower_sizeof(d);
  }
  return Value::none();
}

Value Lowerer::lower_list(const Datum &d, bool want) {
  if (d.items.empty()) return Value::of(0); // () is nil
  CallTarget target = resolve_call(model_, d.head());
  switch (target.kind) {
  case CallTarget::Kind::core:
    if (!target.core->arity_ok(d.size() - 1)) break;
    return lower_core(d, *target.core, want);
  case CallTarget::Kind::accessor:
    if (d.size() != 2) break;
    return lower_accessor(d, target.accessor);
  case CallTarget::Kind::make_struct:
    if (d.size() != 1) break;
    return lower_make_struct(d, *target.made);
  case CallTarget::Kind::helper:
    if (d.size() > 6) break;
    return lower_helper(d, target.helper.id);
  case CallTarget::Kind::unknown:
    break;
  }
  internal(d.span, "unchecked form '" + to_string(d) + "'");
  return Value::none();
}

void Lowerer::branch(const Datum &cond, int target, bool jump_if) {
  if (failed_) return;
  LocScope scope(*this, cond.span);
  const std::string &h = cond.head();
  if (h == "not" && cond.size() == 2) return branch(*cond[1], target, !jump_if);
  if ((h == "and" || h == "or") && cond.size() >= 2) {
    // (and a b) jumps when false as soon as one is false; (or a b) dually.
    bool is_and = h == "and";
    if (jump_if != is_and) {
      for (size_t i = 1; i < cond.size(); ++i)
        branch(*cond[i], target, jump_if);
      return;
    }
    int skip = fn_.new_label();
    for (size_t i = 1; i + 1 < cond.size(); ++i)
      branch(*cond[i], skip, !jump_if);
    branch(*cond.items.back(), target, jump_if);
    emit_label(skip);
    return;
  }
  if (const CompareOp *cmp = find_compare(h); cmp && cond.size() == 3) {
    const Datum *lhs_form = cond[1].get();
    const Datum *rhs_form = cond[2].get();
    uint8_t code = cmp->code;
    bool operands_swapped = lhs_form->is_int() && !rhs_form->is_int();
    if (operands_swapped) {
      std::swap(lhs_form, rhs_form);
      code = swap_operands(code);
    }
    // (= (ntohs X) C) compares X with the byte-swapped constant: no swap at run time.
    bool is32 = false;
    std::optional<int64_t> swapped;
    if ((code == BPF_JEQ || code == BPF_JNE) && rhs_form->is_int() && lhs_form->size() == 2) {
      uint64_t c = static_cast<uint64_t>(rhs_form->integer);
      const std::string &lh = lhs_form->head();
      if ((lh == "ntohs" || lh == "htons") && c <= 0xffff) {
        swapped = static_cast<int64_t>(bswap(c, 16));
      } else if ((lh == "ntohl" || lh == "htonl") && c <= 0xffffffff) {
        swapped = static_cast<int32_t>(static_cast<uint32_t>(bswap(c, 32)));
        is32 = true;
      }
      if (swapped && (*lhs_form)[1]->head() != "load") swapped.reset(), is32 = false;
    }
    Value lhs = swapped ? lower((*lhs_form)[1]) : lower(cond[lhs_form == cond[1].get() ? 1 : 2]);
    Value rhs = swapped ? Value::of(*swapped) : lower(cond[rhs_form == cond[2].get() ? 2 : 1]);
    if (failed_) return;
    if (lhs.is_const() && rhs.is_const()) {
      // Folded in the order written: the operands may have been swapped above.
      Diagnostics scratch;
      std::vector<int64_t> args{lhs.constant, rhs.constant};
      if (operands_swapped) std::swap(args[0], args[1]);
      auto folded = fold_operator(cmp->name, args, cond.span, scratch);
      if (folded && (*folded != 0) == jump_if) emit_ja(target);
      return;
    }
    if (lhs.is_const()) {
      std::swap(lhs, rhs);
      code = swap_operands(code);
    }
    emit_jump(jump_if ? code : negate(code), reg_of(lhs), operand_of(rhs), target, is32);
    return;
  }
  Value v = lower(std::make_shared<Datum>(cond));
  if (failed_) return;
  if (v.is_const()) {
    if ((v.constant != 0) == jump_if) emit_ja(target);
    return;
  }
  emit_jump(jump_if ? BPF_JNE : BPF_JEQ, reg_of(v), ir::Operand::i(0), target);
}

Value Lowerer::lower_if(const Datum &test, const DatumPtr &then, const DatumPtr *otherwise,
                        bool want) {
  ir::Reg result = want ? fn_.new_vreg() : ir::kNoReg;
  int else_label = fn_.new_label();
  int end_label = fn_.new_label();
  branch(test, else_label, false);
  Value v = lower(then, want);
  bool then_falls_through = reachable_;
  if (reachable_) {
    if (want) move_into(result, v);
    emit_ja(end_label);
  }
  emit_label(else_label);
  Value e = otherwise ? lower(*otherwise, want) : Value::of(0);
  if (reachable_ && want) move_into(result, e);
  if (then_falls_through)
    emit_label(end_label);
  else if (reachable_)
    emit_label(end_label);
  return want ? Value::in(result, true) : Value::of(0);
}

Value Lowerer::lower_cond(const Datum &d, bool want) {
  ir::Reg result = want ? fn_.new_vreg() : ir::kNoReg;
  int end_label = fn_.new_label();
  bool has_default = false;
  for (size_t i = 1; i < d.size() && !failed_; ++i) {
    const Datum &clause = *d[i];
    if (!clause.is_list() || clause.items.empty()) {
      internal(clause.span, "unchecked cond clause");
      break;
    }
    bool is_default = clause[0]->is_symbol("t") || clause[0]->is_symbol("otherwise");
    int next = fn_.new_label();
    if (!is_default) branch(*clause[0], next, false);
    Value v = clause.size() > 1 ? lower_progn(clause.items, 1, want)
                                : (is_default ? Value::of(1) : Value::of(1));
    if (reachable_) {
      if (want) move_into(result, v);
      emit_ja(end_label);
    }
    emit_label(next);
    if (is_default) {
      has_default = true;
      break;
    }
  }
  if (!has_default && want && reachable_) move_into(result, Value::of(0));
  emit_label(end_label);
  return want ? Value::in(result, true) : Value::of(0);
}

Value Lowerer::lower_case(const Datum &d, bool want) {
  Value key = lower(d[1]);
  ir::Reg key_reg = reg_of(key);
  ir::Reg result = want ? fn_.new_vreg() : ir::kNoReg;
  int end_label = fn_.new_label();
  bool has_default = false;
  for (size_t i = 2; i < d.size() && !failed_; ++i) {
    const Datum &clause = *d[i];
    if (!clause.is_list() || clause.items.empty()) {
      internal(clause.span, "unchecked case clause");
      break;
    }
    const Datum &keys = *clause[0];
    bool is_default = keys.is_symbol("t") || keys.is_symbol("otherwise");
    int next = fn_.new_label();
    if (!is_default) {
      std::vector<int64_t> values;
      if (keys.is_int()) values.push_back(keys.integer);
      for (const auto &k : keys.is_list() ? keys.items : std::vector<DatumPtr>{}) {
        if (!k->is_int()) {
          internal(k->span, "unchecked case key");
          return Value::none();
        }
        values.push_back(k->integer);
      }
      if (!keys.is_int() && !keys.is_list()) {
        internal(keys.span, "unchecked case key");
        return Value::none();
      }
      if (values.size() == 1) {
        emit_jump(BPF_JNE, key_reg, operand_of(Value::of(values[0])), next);
      } else {
        int body = fn_.new_label();
        for (int64_t v : values)
          emit_jump(BPF_JEQ, key_reg, operand_of(Value::of(v)), body);
        emit_ja(next);
        emit_label(body);
      }
    }
    Value v = lower_progn(clause.items, 1, want);
    if (reachable_) {
      if (want) move_into(result, v);
      emit_ja(end_label);
    }
    emit_label(next);
    if (is_default) {
      has_default = true;
      break;
    }
  }
  if (!has_default && want && reachable_) move_into(result, Value::of(0));
  emit_label(end_label);
  return want ? Value::in(result, true) : Value::of(0);
}

Value Lowerer::lower_dotimes(const Datum &d) {
  if (!d[1]->is_list() || d[1]->size() != 2 || !(*d[1])[0]->is_symbol()) {
    internal(d.span, "unchecked dotimes");
    return Value::none();
  }
  Value count = lower((*d[1])[1]);
  if (failed_) return Value::none();
  if (!count.is_const()) {
    internal((*d[1])[1]->span, "dotimes count not constant");
    return Value::none();
  }
  scopes_.emplace_back();
  Variable &var = bind((*d[1])[0]->text, Value::of(0), std::nullopt, false);
  ir::Reg i = var.reg;
  int top = fn_.new_label(), end = fn_.new_label();
  emit_label(top);
  emit_jump(BPF_JGE, i, operand_of(count), end);
  lower_progn(d.items, 2, false);
  if (reachable_) {
    emit_alu(BPF_ADD, i, ir::Operand::i(1));
    emit_ja(top);
  }
  emit_label(end);
  scopes_.pop_back();
  return Value::of(0);
}

Value Lowerer::lower_return(const Datum &d) {
  Value v = d.size() == 2 ? lower(d[1]) : Value::of(0);
  if (failed_) return Value::none();
  move_into(0, v);
  ir::Inst exit;
  exit.op = ir::Op::exit;
  emit(exit);
  return Value::of(0);
}

std::optional<ir::Function> Lowerer::run() {
  set_loc(program_.span);
  scopes_.emplace_back();
  ctx_ = fn_.new_vreg();
  emit_mov(ctx_, ir::Operand::r(1));
  Value result = lower_progn(program_.body, 0, true);
  if (failed_) return std::nullopt;
  if (reachable_) {
    if (!program_.body.empty()) set_loc(program_.body.back()->span);
    move_into(0, result);
    ir::Inst exit;
    exit.op = ir::Op::exit;
    emit(exit);
  }
  return std::move(fn_);
}

} // namespace lowering

std::optional<ir::Function> run_lowering(const ProgramModel &model, const ProgramDef &program,
                                         Diagnostics &diags) {
  return lowering::Lowerer(model, program, diags).run();
}

} // namespace xdpchain::compiler
