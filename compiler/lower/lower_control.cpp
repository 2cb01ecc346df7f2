// Lowering of control flow, variables and arithmetic; the dispatcher over form names.
#include "compiler/lower/lower_program.h"
#include "compiler/lower/lowerer.h"

#include "compiler/fold/fold_constants.h"
#include "compiler/helpers/helpers.h"

#include <linux/bpf.h>

namespace xdpchain::compiler {

namespace lowering {

namespace {

constexpr int kMaxDepth = 150;

bool fits_s32(int64_t v) {
  return v >= INT32_MIN && v <= INT32_MAX;
}

struct CompareOp {
  const char *name;
  uint8_t code;
  uint8_t negated;
  uint8_t swapped; // the same test with the operands exchanged
};

const CompareOp kCompares[] = {
    {"=", BPF_JEQ, BPF_JNE, BPF_JEQ},     {"/=", BPF_JNE, BPF_JEQ, BPF_JNE},
    {"<", BPF_JLT, BPF_JGE, BPF_JGT},     {"<=", BPF_JLE, BPF_JGT, BPF_JGE},
    {">", BPF_JGT, BPF_JLE, BPF_JLT},     {">=", BPF_JGE, BPF_JLT, BPF_JLE},
    {"s<", BPF_JSLT, BPF_JSGE, BPF_JSGT}, {"s<=", BPF_JSLE, BPF_JSGT, BPF_JSGE},
    {"s>", BPF_JSGT, BPF_JSLE, BPF_JSLT}, {"s>=", BPF_JSGE, BPF_JSLT, BPF_JSLE},
};

const CompareOp *find_compare(const std::string &name) {
  for (const auto &c : kCompares)
    if (name == c.name) return &c;
  return nullptr;
}

uint8_t negate(uint8_t code) {
  for (const auto &c : kCompares)
    if (c.code == code) return c.negated;
  return code;
}

uint8_t swap_operands(uint8_t code) {
  for (const auto &c : kCompares)
    if (c.code == code) return c.swapped;
  return code;
}

uint64_t bswap(uint64_t v, int bits) {
  uint64_t out = 0;
  for (int i = 0; i < bits / 8; ++i)
    out = (out << 8) | ((v >> (8 * i)) & 0xff);
  return out;
}

struct AluOp {
  const char *name;
  uint8_t code;
};
const AluOp kAluOps[] = {{"+", BPF_ADD},     {"-", BPF_SUB},      {"*", BPF_MUL},
                         {"/", BPF_DIV},     {"mod", BPF_MOD},    {"logand", BPF_AND},
                         {"logior", BPF_OR}, {"logxor", BPF_XOR}, {"<<", BPF_LSH},
                         {">>", BPF_RSH},    {">>>", BPF_ARSH}};

} // namespace

Lowerer::Lowerer(const ProgramModel &model, const ProgramDef &program, Diagnostics &diags)
    : model_(model), program_(program), diags_(diags) {
  fn_.name = program.c_name;
}

bool Lowerer::fail(const Span &span, const std::string &message) {
  if (!failed_) diags_.error(span, message);
  failed_ = true;
  return false;
}

bool Lowerer::check_arity(const Datum &d, size_t min, size_t max, const char *usage) {
  size_t n = d.size() - 1;
  if (n >= min && n <= max) return true;
  return fail(d.span, d.head() + ": expected " + usage);
}

void Lowerer::set_loc(const Span &span) {
  const Span *s = &span;
  while (s->expanded_from)
    s = s->expanded_from.get();
  if (s->valid()) loc_ = ir::Loc{s->line(), s->column()};
}

ir::Inst &Lowerer::emit(ir::Inst inst) {
  inst.loc = loc_;
  fn_.insts.push_back(inst);
  if (inst.op == ir::Op::ja || inst.op == ir::Op::exit) reachable_ = false;
  return fn_.insts.back();
}

void Lowerer::emit_label(int label) {
  ir::Inst inst;
  inst.op = ir::Op::label;
  inst.label = label;
  emit(inst);
  reachable_ = true;
}

void Lowerer::emit_mov(ir::Reg dst, const ir::Operand &src, bool is32) {
  ir::Inst inst;
  inst.op = ir::Op::mov;
  inst.dst = dst;
  inst.src = src;
  inst.is32 = is32;
  emit(inst);
}

void Lowerer::emit_alu(uint8_t code, ir::Reg dst, const ir::Operand &src, bool is32) {
  ir::Inst inst;
  inst.op = ir::Op::alu;
  inst.code = code;
  inst.dst = dst;
  inst.src = src;
  inst.is32 = is32;
  emit(inst);
}

void Lowerer::emit_jump(uint8_t code, ir::Reg a, const ir::Operand &b, int label, bool is32) {
  ir::Inst inst;
  inst.op = ir::Op::jump;
  inst.code = code;
  inst.dst = a;
  inst.src = b;
  inst.label = label;
  inst.is32 = is32;
  emit(inst);
}

void Lowerer::emit_ja(int label) {
  ir::Inst inst;
  inst.op = ir::Op::ja;
  inst.label = label;
  emit(inst);
}

ir::Reg Lowerer::reg_of(const Value &v) {
  if (v.kind == Value::Kind::reg) return v.reg;
  ir::Reg r = fn_.new_vreg();
  move_into(r, v);
  return r;
}

ir::Reg Lowerer::temp_of(const Value &v) {
  if (v.kind == Value::Kind::reg && v.temp) return v.reg;
  ir::Reg r = fn_.new_vreg();
  move_into(r, v);
  return r;
}

ir::Operand Lowerer::operand_of(const Value &v) {
  if (v.is_const() && fits_s32(v.constant)) return ir::Operand::i(v.constant);
  return ir::Operand::r(reg_of(v));
}

void Lowerer::move_into(ir::Reg dst, const Value &v) {
  if (v.kind == Value::Kind::reg) {
    if (v.reg != dst) emit_mov(dst, ir::Operand::r(v.reg));
    return;
  }
  int64_t c = v.is_const() ? v.constant : 0;
  if (fits_s32(c)) {
    emit_mov(dst, ir::Operand::i(c));
  } else if (c > 0 && c <= UINT32_MAX) {
    emit_mov(dst, ir::Operand::i(static_cast<int32_t>(static_cast<uint32_t>(c))), true);
  } else {
    ir::Inst inst;
    inst.op = ir::Op::ld_imm64;
    inst.dst = dst;
    inst.imm = c;
    emit(inst);
  }
}

Value Lowerer::narrow(Value v, Scalar type) {
  uint32_t bits = scalar_size(type) * 8;
  if (bits == 64 || v.kind == Value::Kind::none) return v;
  if (v.is_const()) {
    uint64_t u = static_cast<uint64_t>(v.constant) & ((uint64_t{1} << bits) - 1);
    if (scalar_signed(type) && (u >> (bits - 1))) u |= ~((uint64_t{1} << bits) - 1);
    return Value::of(static_cast<int64_t>(u));
  }
  ir::Reg r = temp_of(v);
  if (scalar_signed(type)) {
    emit_alu(BPF_LSH, r, ir::Operand::i(64 - bits));
    emit_alu(BPF_ARSH, r, ir::Operand::i(64 - bits));
  } else if (bits == 32) {
    emit_mov(r, ir::Operand::r(r), true);
  } else {
    emit_alu(BPF_AND, r, ir::Operand::i(bits == 8 ? 0xff : 0xffff));
  }
  return Value::in(r, true);
}

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

Value Lowerer::lower_list(const Datum &d, bool want) {
  if (d.items.empty()) return Value::of(0); // () is nil
  const std::string &h = d.head();
  if (h.empty()) {
    fail(d.span, "expected a form name, found '" + to_string(*d[0]) + "'");
    return Value::none();
  }
  if (h == "progn") return lower_progn(d.items, 1, want);
  if (h == "if") {
    if (!check_arity(d, 2, 3, "(if TEST THEN [ELSE])")) return Value::none();
    return lower_if(*d[1], d[2], d.size() == 4 ? &d.items[3] : nullptr, want);
  }
  if (h == "when" || h == "unless") {
    if (!check_arity(d, 1, SIZE_MAX, "(when TEST BODY...)")) return Value::none();
    std::vector<DatumPtr> body{make_symbol("progn", d.span)};
    body.insert(body.end(), d.items.begin() + 2, d.items.end());
    DatumPtr progn = make_list(std::move(body), d.span);
    if (h == "when") return lower_if(*d[1], progn, nullptr, want);
    DatumPtr zero = make_int(0, d.span);
    return lower_if(*d[1], zero, &progn, want);
  }
  if (h == "let" || h == "let*") return lower_let(d, want, h == "let*");
  if (h == "cond") return lower_cond(d, want);
  if (h == "case") return lower_case(d, want);
  if (h == "dotimes") return lower_dotimes(d);
  if (h == "return") return lower_return(d);
  if (h == "setf") return lower_setf(d);
  if (h == "incf" || h == "decf") return lower_incf(d, h == "decf");
  if (h == "declare") return Value::of(0);
  if (h == "quote") {
    if (d.size() == 2 && d[1]->is_int()) return Value::of(d[1]->integer);
    fail(d.span, "quoted data has no value in a BPF program");
    return Value::none();
  }
  if ((h == "and" || h == "or") && d.size() == 1) return Value::of(h == "and" ? 1 : 0);
  if (h == "and" || h == "or" || h == "not" || find_compare(h)) {
    if (h == "not" && !check_arity(d, 1, 1, "(not X)")) return Value::none();
    if (find_compare(h) && !check_arity(d, 2, 2, "two operands")) return Value::none();
    return lower_compare_value(d);
  }
  for (const auto &op : kAluOps)
    if (h == op.name) return lower_arith(d);
  if (h == "lognot" || h == "ash") return lower_arith(d);
  if (h == "ntohs" || h == "htons") return lower_byteswap(d, 16);
  if (h == "ntohl" || h == "htonl") return lower_byteswap(d, 32);
  if (h == "ntohll" || h == "htonll") return lower_byteswap(d, 64);
  if (h == "cast") return lower_cast(d);
  if (h == "load") return lower_load(d);
  if (h == "store") return lower_store(d);
  if (h == "atomic-add") return lower_atomic_add(d);
  if (h == "ctx" || h == "ctx-ptr") return lower_ctx(d);
  if (h == "stack-addr") return lower_stack_addr(d);
  if (h == "memset") return lower_memset(d);
  if (h == "memcpy") return lower_memcpy(d);
  if (h == "tail-call") return lower_tail_call(d);
  if (h == "getmap") return lower_getmap(d);
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

Variable *Lowerer::find_variable(const std::string &name) {
  for (size_t i = scopes_.size(); i-- > 0;) {
    auto it = scopes_[i].find(name);
    if (it != scopes_[i].end()) return &it->second;
  }
  return nullptr;
}

namespace {
bool mentions_stack_addr(const Datum &d, const std::string &name) {
  if (!d.is_list()) return false;
  if (d.head_is("stack-addr") && d.size() == 2 && d[1]->is_symbol() && d[1]->text == name)
    return true;
  for (const auto &item : d.items)
    if (mentions_stack_addr(*item, name)) return true;
  return false;
}
} // namespace

Variable &Lowerer::bind(const std::string &name, Value v, std::optional<Scalar> type,
                        bool on_stack) {
  Variable var;
  var.type = type;
  if (type) v = narrow(v, *type);
  if (on_stack) {
    var.on_stack = true;
    var.stack_offset = fn_.alloc_stack(8, 8);
    store_typed(ir::kFramePointer, var.stack_offset, Scalar::u64, v);
  } else if (v.kind == Value::Kind::reg && v.temp) {
    var.reg = v.reg;
  } else {
    var.reg = fn_.new_vreg();
    move_into(var.reg, v);
  }
  return scopes_.back()[name] = var;
}

void Lowerer::store_variable(Variable &var, Value v) {
  if (var.type) v = narrow(v, *var.type);
  if (var.on_stack)
    store_typed(ir::kFramePointer, var.stack_offset, Scalar::u64, v);
  else
    move_into(var.reg, v);
}

Value Lowerer::lower_let(const Datum &d, bool want, bool sequential) {
  if (d.size() < 2 || !d[1]->is_list()) {
    fail(d.span, d.head() + ": expected (" + d.head() + " ((VAR INIT)...) BODY...)");
    return Value::none();
  }
  struct Pending {
    std::string name;
    Value value;
    std::optional<Scalar> type;
  };
  std::vector<Pending> pending;
  scopes_.emplace_back();
  for (const DatumPtr &b : d[1]->items) {
    Pending p;
    const Datum *init = nullptr;
    if (b->is_symbol()) {
      p.name = b->text;
    } else if (b->is_list() && b->size() >= 1 && b->size() <= 3 && (*b)[0]->is_symbol()) {
      p.name = (*b)[0]->text;
      if (b->size() == 3 ||
          (b->size() == 2 && (*b)[1]->is_symbol() && parse_scalar((*b)[1]->text))) {
        p.type = parse_scalar((*b)[1]->text);
        if (!p.type) {
          fail((*b)[1]->span, "unknown type '" + to_string(*(*b)[1]) +
                                  "': expected u8 u16 u32 u64 i8 i16 i32 i64");
          break;
        }
        if (b->size() == 3) init = (*b)[2].get();
      } else if (b->size() == 2) {
        init = (*b)[1].get();
      }
    } else {
      fail(b->span, "expected a binding (VAR INIT), (VAR TYPE INIT) or (VAR TYPE)");
      break;
    }
    p.value = init ? lower(std::make_shared<Datum>(*init)) : Value::of(0);
    if (failed_) break;
    if (sequential) {
      bool on_stack = false;
      for (size_t i = 2; i < d.size(); ++i)
        on_stack |= mentions_stack_addr(*d[i], p.name);
      bind(p.name, p.value, p.type, on_stack);
    } else {
      // let: later inits must not see this binding, and must not clobber the value.
      if (p.value.kind == Value::Kind::reg && !p.value.temp) {
        ir::Reg copy = fn_.new_vreg();
        move_into(copy, p.value);
        p.value = Value::in(copy, true);
      }
      pending.push_back(std::move(p));
    }
  }
  for (auto &p : pending) {
    bool on_stack = false;
    for (size_t i = 2; i < d.size(); ++i)
      on_stack |= mentions_stack_addr(*d[i], p.name);
    bind(p.name, p.value, p.type, on_stack);
  }
  size_t body = 2;
  for (; body < d.size() && d[body]->head_is("declare"); ++body) {
    for (size_t i = 1; i < d[body]->size(); ++i) {
      const Datum &decl = *(*d[body])[i];
      if (!decl.head_is("type") || decl.size() < 3) continue;
      auto type = decl[1]->is_symbol() ? parse_scalar(decl[1]->text) : std::nullopt;
      if (!type) {
        fail(decl[1]->span, "unknown type '" + to_string(*decl[1]) + "' in declare");
        break;
      }
      for (size_t v = 2; v < decl.size(); ++v) {
        Variable *var = decl[v]->is_symbol() ? find_variable(decl[v]->text) : nullptr;
        if (!var) {
          fail(decl[v]->span,
               "declare: '" + to_string(*decl[v]) + "' is not a variable of this let");
          break;
        }
        var->type = type;
        if (!var->on_stack) store_variable(*var, Value::in(var->reg, false));
      }
    }
  }
  Value out = failed_ ? Value::none() : lower_progn(d.items, body, want);
  // The result may live in a variable's register that a later form reuses: copy it out.
  if (out.kind == Value::Kind::reg && !out.temp && want) {
    ir::Reg copy = fn_.new_vreg();
    move_into(copy, out);
    out = Value::in(copy, true);
  }
  scopes_.pop_back();
  return out;
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

Value Lowerer::lower_arith(const Datum &d) {
  const std::string &h = d.head();
  if (h == "lognot") {
    if (!check_arity(d, 1, 1, "(lognot X)")) return Value::none();
    Value v = lower(d[1]);
    if (v.is_const()) return Value::of(~v.constant);
    ir::Reg r = temp_of(v);
    emit_alu(BPF_XOR, r, ir::Operand::i(-1));
    return Value::in(r, true);
  }
  if (h == "ash") {
    if (!check_arity(d, 2, 2, "(ash X SHIFT)")) return Value::none();
    Value v = lower(d[1]);
    Value s = lower(d[2]);
    if (failed_) return Value::none();
    if (!s.is_const()) {
      fail(d[2]->span, "ash: the shift must be a constant (use << or >> for variable shifts)");
      return Value::none();
    }
    if (v.is_const()) {
      Diagnostics scratch;
      return Value::of(*fold_operator("ash", {v.constant, s.constant}, d.span, scratch));
    }
    ir::Reg r = temp_of(v);
    if (s.constant >= 0)
      emit_alu(BPF_LSH, r, ir::Operand::i(s.constant & 63));
    else
      emit_alu(BPF_ARSH, r, ir::Operand::i((-s.constant) & 63));
    return Value::in(r, true);
  }
  uint8_t code = 0;
  for (const auto &op : kAluOps)
    if (h == op.name) code = op.code;
  if (d.size() < 2 || (d.size() < 3 && h != "-")) {
    fail(d.span, h + ": expected at least two operands");
    return Value::none();
  }
  if (h == "-" && d.size() == 2) {
    Value v = lower(d[1]);
    if (v.is_const()) return Value::of(static_cast<int64_t>(0 - static_cast<uint64_t>(v.constant)));
    ir::Reg r = temp_of(v);
    ir::Inst neg;
    neg.op = ir::Op::neg;
    neg.dst = r;
    emit(neg);
    return Value::in(r, true);
  }
  bool binary_only =
      code == BPF_DIV || code == BPF_MOD || code == BPF_LSH || code == BPF_RSH || code == BPF_ARSH;
  if (binary_only && d.size() != 3) {
    fail(d.span, h + ": expected exactly two operands");
    return Value::none();
  }
  Value acc = lower(d[1]);
  for (size_t i = 2; i < d.size() && !failed_; ++i) {
    Value rhs = lower(d[i]);
    if (failed_) break;
    if (acc.is_const() && rhs.is_const()) {
      Diagnostics scratch;
      auto folded = fold_operator(h, {acc.constant, rhs.constant}, d.span, scratch);
      if (folded) {
        acc = Value::of(*folded);
        continue;
      }
      fail(d.span, "division by zero");
      break;
    }
    if (rhs.is_const() && (code == BPF_DIV || code == BPF_MOD) && rhs.constant == 0) {
      fail(d[i]->span, "division by zero");
      break;
    }
    // Commutative operations keep the constant as the immediate operand.
    bool commutative =
        code == BPF_ADD || code == BPF_MUL || code == BPF_AND || code == BPF_OR || code == BPF_XOR;
    if (acc.is_const() && commutative) std::swap(acc, rhs);
    if (rhs.is_const() && rhs.constant == 0 &&
        (code == BPF_ADD || code == BPF_SUB || code == BPF_OR || code == BPF_XOR ||
         code == BPF_LSH || code == BPF_RSH || code == BPF_ARSH))
      continue;
    if (rhs.is_const() && rhs.constant == 1 && (code == BPF_MUL || code == BPF_DIV)) continue;
    ir::Reg r = temp_of(acc);
    ir::Operand src = operand_of(rhs);
    if (code == BPF_DIV || code == BPF_MOD) {
      // BPF division is unsigned, like the language's.
    }
    if (src.is_imm && (code == BPF_LSH || code == BPF_RSH || code == BPF_ARSH)) src.imm &= 63;
    emit_alu(code, r, src);
    acc = Value::in(r, true);
  }
  return acc;
}

Value Lowerer::lower_compare_value(const Datum &d) {
  // A condition used as a value: 1 when true, 0 otherwise.
  ir::Reg r = fn_.new_vreg();
  int done = fn_.new_label();
  emit_mov(r, ir::Operand::i(1));
  branch(d, done, true);
  if (reachable_) emit_mov(r, ir::Operand::i(0));
  emit_label(done);
  return Value::in(r, true);
}

Value Lowerer::lower_byteswap(const Datum &d, int bits) {
  if (!check_arity(d, 1, 1, "one operand")) return Value::none();
  Value v = lower(d[1]);
  if (failed_) return Value::none();
  if (v.is_const())
    return Value::of(static_cast<int64_t>(bswap(static_cast<uint64_t>(v.constant), bits)));
  ir::Reg r = temp_of(v);
  ir::Inst inst;
  inst.op = ir::Op::endian;
  inst.dst = r;
  inst.imm = bits;
  emit(inst);
  return Value::in(r, true);
}

Value Lowerer::lower_cast(const Datum &d) {
  if (!check_arity(d, 2, 2, "(cast TYPE X)")) return Value::none();
  auto type = d[1]->is_symbol() ? parse_scalar(d[1]->text) : std::nullopt;
  if (!type) {
    fail(d[1]->span,
         "cast: unknown type '" + to_string(*d[1]) + "': expected u8 u16 u32 u64 i8 i16 i32 i64");
    return Value::none();
  }
  return narrow(lower(d[2]), *type);
}

Value Lowerer::lower_setf(const Datum &d) {
  if (d.size() < 3 || (d.size() - 1) % 2 != 0) {
    fail(d.span, "setf: expected (setf PLACE VALUE [PLACE VALUE]...)");
    return Value::none();
  }
  Value last = Value::of(0);
  for (size_t i = 1; i + 1 < d.size() && !failed_; i += 2)
    last = assign(*d[i], d[i + 1], d.span);
  return last;
}

Value Lowerer::assign(const Datum &place, const DatumPtr &value_form, const Span &) {
  if (place.is_symbol()) {
    Variable *var = find_variable(place.text);
    if (!var) {
      fail(place.span, "setf: undefined variable '" + place.text + "'");
      return Value::none();
    }
    Value v = lower(value_form);
    if (failed_) return Value::none();
    store_variable(*var, v);
    return Value::of(0);
  }
  const std::string &h = place.head();
  if (h == "getmap") return store_getmap(place, value_form);
  Value v = lower(value_form);
  if (failed_) return Value::none();
  if (h == "ctx") return store_ctx(place, v);
  if (h == "load") return store_load_place(place, v);
  if ((h == "ntohs" || h == "ntohl" || h == "ntohll") && place.size() == 2 &&
      place[1]->head_is("load")) {
    ir::Inst inst;
    inst.op = ir::Op::endian;
    inst.dst = temp_of(v);
    inst.imm = h == "ntohs" ? 16 : h == "ntohl" ? 32 : 64;
    emit(inst);
    return store_load_place(*place[1], Value::in(inst.dst, true));
  }
  if (is_struct_form(h)) return store_struct_field(place, v);
  fail(place.span, "setf: cannot assign to '" + to_string(place) +
                       "': expected a variable, (ctx FIELD), (getmap MAP KEY), (load ...) or a "
                       "struct field accessor");
  return Value::none();
}

Value Lowerer::lower_incf(const Datum &d, bool decrement) {
  if (!check_arity(d, 1, 2, "(incf PLACE [DELTA])")) return Value::none();
  const Datum &place = *d[1];
  DatumPtr delta = d.size() == 3 ? d[2] : make_int(1, d.span);
  if (place.head_is("getmap")) {
    Value dv = lower(delta);
    if (failed_) return Value::none();
    if (decrement) {
      if (dv.is_const()) {
        dv = Value::of(static_cast<int64_t>(0 - static_cast<uint64_t>(dv.constant)));
      } else {
        ir::Reg r = temp_of(dv);
        ir::Inst neg;
        neg.op = ir::Op::neg;
        neg.dst = r;
        emit(neg);
        dv = Value::in(r, true);
      }
    }
    return increment_map(place, dv);
  }
  DatumPtr sum = make_list({make_symbol(decrement ? "-" : "+", d.span), d[1], delta}, d.span);
  return assign(place, sum, d.span);
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
