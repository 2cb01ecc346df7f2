// Lowering of control flow (progn, if, cond, case, dotimes, return, conditional branches),
// the dispatch over form names, and the entry point run_lowering().
#include "compiler/lower/lower_ops.h"
#include "compiler/lower/lower_program.h"
#include "compiler/lower/lowerer.h"

#include "compiler/fold/fold_constants.h"
#include "compiler/helpers/helpers.h"

#include <linux/bpf.h>

#include <unordered_map>

namespace xdpchain::compiler {

namespace lowering {

namespace {

constexpr int kMaxDepth = 150;

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
    fail(d->span, "expression nested too deep");
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
    fail(d->span, "unexpected keyword '" + to_string(*d) + "' in an expression");
    break;
  case DatumKind::string:
    fail(d->span, "unexpected string in an expression");
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
  if (model_.find_map(d.text) >= 0) {
    fail(d.span, "map '" + d.text +
                     "' used as a value: maps can only be passed to map "
                     "operations and helpers");
    return Value::none();
  }
  fail(d.span, "undefined variable '" + d.text + "'");
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

// The core forms, by name. Struct accessors, map operations and helpers are looked up
// after these (their names come from the program and the kernel headers).
const Lowerer::FormHandler *Lowerer::find_form(const std::string &name) {
  using L = Lowerer;
  auto compare = [](L &l, const Datum &d, bool) {
    if (!l.check_arity(d, 2, 2, "two operands")) return Value::none();
    return l.lower_compare_value(d);
  };
  auto logic = [](L &l, const Datum &d, bool) {
    if (d.size() == 1) return Value::of(d.head() == "and" ? 1 : 0);
    return l.lower_compare_value(d);
  };
  auto arith = [](L &l, const Datum &d, bool) { return l.lower_arith(d); };
  auto swap16 = [](L &l, const Datum &d, bool) { return l.lower_byteswap(d, 16); };
  auto swap32 = [](L &l, const Datum &d, bool) { return l.lower_byteswap(d, 32); };
  auto swap64 = [](L &l, const Datum &d, bool) { return l.lower_byteswap(d, 64); };
  auto let = [](L &l, const Datum &d, bool want) {
    return l.lower_let(d, want, d.head() == "let*");
  };
  auto incf = [](L &l, const Datum &d, bool) { return l.lower_incf(d, d.head() == "decf"); };
  static const std::unordered_map<std::string, FormHandler> forms = {
      {"progn", [](L &l, const Datum &d, bool want) { return l.lower_progn(d.items, 1, want); }},
      {"if",
       [](L &l, const Datum &d, bool want) {
         if (!l.check_arity(d, 2, 3, "(if TEST THEN [ELSE])")) return Value::none();
         return l.lower_if(*d[1], d[2], d.size() == 4 ? &d.items[3] : nullptr, want);
       }},
      {"let", let},
      {"let*", let},
      {"cond", [](L &l, const Datum &d, bool want) { return l.lower_cond(d, want); }},
      {"case", [](L &l, const Datum &d, bool want) { return l.lower_case(d, want); }},
      {"dotimes", [](L &l, const Datum &d, bool) { return l.lower_dotimes(d); }},
      {"return", [](L &l, const Datum &d, bool) { return l.lower_return(d); }},
      {"setf", [](L &l, const Datum &d, bool) { return l.lower_setf(d); }},
      {"incf", incf},
      {"decf", incf},
      {"declare", [](L &, const Datum &, bool) { return Value::of(0); }},
      {"quote",
       [](L &l, const Datum &d, bool) {
         if (d.size() == 2 && d[1]->is_int()) return Value::of(d[1]->integer);
         l.fail(d.span, "quoted data has no value in a BPF program");
         return Value::none();
       }},
      {"and", logic},
      {"or", logic},
      {"not",
       [](L &l, const Datum &d, bool) {
         if (!l.check_arity(d, 1, 1, "(not X)")) return Value::none();
         return l.lower_compare_value(d);
       }},
      {"=", compare},
      {"/=", compare},
      {"<", compare},
      {"<=", compare},
      {">", compare},
      {">=", compare},
      {"s<", compare},
      {"s<=", compare},
      {"s>", compare},
      {"s>=", compare},
      {"+", arith},
      {"-", arith},
      {"*", arith},
      {"/", arith},
      {"mod", arith},
      {"logand", arith},
      {"logior", arith},
      {"logxor", arith},
      {"<<", arith},
      {">>", arith},
      {">>>", arith},
      {"lognot", arith},
      {"ash", arith},
      {"ntohs", swap16},
      {"htons", swap16},
      {"ntohl", swap32},
      {"htonl", swap32},
      {"ntohll", swap64},
      {"htonll", swap64},
      {"cast", [](L &l, const Datum &d, bool) { return l.lower_cast(d); }},
      {"load", [](L &l, const Datum &d, bool) { return l.lower_load(d); }},
      {"store", [](L &l, const Datum &d, bool) { return l.lower_store(d); }},
      {"atomic-add", [](L &l, const Datum &d, bool) { return l.lower_atomic_add(d); }},
      {"ctx", [](L &l, const Datum &d, bool) { return l.lower_ctx(d); }},
      {"ctx-ptr", [](L &l, const Datum &d, bool) { return l.lower_ctx(d); }},
      {"stack-addr", [](L &l, const Datum &d, bool) { return l.lower_stack_addr(d); }},
      {"memset", [](L &l, const Datum &d, bool) { return l.lower_memset(d); }},
      {"memcpy", [](L &l, const Datum &d, bool) { return l.lower_memcpy(d); }},
      {"tail-call", [](L &l, const Datum &d, bool) { return l.lower_tail_call(d); }},
      {"getmap", [](L &l, const Datum &d, bool) { return l.lower_getmap(d); }},
  };
  auto it = forms.find(name);
  return it == forms.end() ? nullptr : &it->second;
}

Value Lowerer::lower_list(const Datum &d, bool want) {
  if (d.items.empty()) return Value::of(0); // () is nil
  const std::string &h = d.head();
  if (h.empty()) {
    fail(d.span, "expected a form name, found '" + to_string(*d[0]) + "'");
    return Value::none();
  }
  if (const FormHandler *handler = find_form(h)) return (*handler)(*this, d, want);
  if (is_map_form(h)) return lower_map_op(d);
  if (is_struct_form(h)) return lower_struct_form(d);
  if (auto helper = find_helper(h)) return lower_helper(d, helper->id, helper->arg_count);
  fail(d.span, "unknown function or form '" + h + "'");
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
      fail(clause.span, "cond: expected a clause (TEST BODY...)");
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
  if (d.size() < 2) {
    fail(d.span, "case: expected (case KEY (VALUE BODY...)...)");
    return Value::none();
  }
  Value key = lower(d[1]);
  ir::Reg key_reg = reg_of(key);
  ir::Reg result = want ? fn_.new_vreg() : ir::kNoReg;
  int end_label = fn_.new_label();
  bool has_default = false;
  for (size_t i = 2; i < d.size() && !failed_; ++i) {
    const Datum &clause = *d[i];
    if (!clause.is_list() || clause.items.empty()) {
      fail(clause.span, "case: expected a clause (KEY BODY...) or ((KEY...) BODY...)");
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
          fail(k->span, "case: keys must be integer constants, found '" + to_string(*k) + "'");
          return Value::none();
        }
        values.push_back(k->integer);
      }
      if (!keys.is_int() && !keys.is_list()) {
        fail(keys.span, "case: keys must be integer constants, found '" + to_string(keys) + "'");
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
  if (d.size() < 2 || !d[1]->is_list() || d[1]->size() != 2 || !(*d[1])[0]->is_symbol()) {
    fail(d.span, "dotimes: expected (dotimes (VAR COUNT) BODY...)");
    return Value::none();
  }
  Value count = lower((*d[1])[1]);
  if (failed_) return Value::none();
  if (!count.is_const()) {
    fail((*d[1])[1]->span, "dotimes: the count must be a constant (the verifier needs a bound)");
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
  if (!check_arity(d, 0, 1, "(return [VALUE])")) return Value::none();
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
