// Lowering of variables: let/let* scopes, declare, assignment (setf) to every kind of
// place, and incf on getmap.
#include "compiler/lower/lower_ops.h"
#include "compiler/lower/lowerer.h"

namespace xdpchain::compiler::lowering {

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
  // Other places were rewritten to setf by the expander (expand/desugar.cpp).
  if (!place.head_is("getmap")) {
    fail(d.span, d.head() + ": expected a (getmap MAP KEY) place");
    return Value::none();
  }
  {
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
}

} // namespace xdpchain::compiler::lowering
