// Lowering of variables: let/let* scopes, declare, assignment (setf) to every kind of
// place, and incf on getmap.
#include "compiler/lower/lower_ops.h"
#include "compiler/lower/lowerer.h"

#include "compiler/forms/bindings.h"

namespace xdpchain::compiler::lowering {

Variable *Lowerer::find_variable(const std::string &name) {
  for (size_t i = scopes_.size(); i-- > 0;) {
    auto it = scopes_[i].find(name);
    if (it != scopes_[i].end()) return &it->second;
  }
  return nullptr;
}

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
  if (!d[1]->is_list()) {
    internal(d.span, "unchecked let");
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
    auto parts = parse_binding(*b);
    if (parts && parts->type) p.type = parse_scalar(parts->type->text);
    if (!parts || (parts->type && !p.type)) {
      internal(b->span, "unchecked binding");
      break;
    }
    p.name = parts->name->text;
    p.value = parts->init ? lower(std::make_shared<Datum>(*parts->init)) : Value::of(0);
    if (failed_) break;
    if (sequential) {
      bind(p.name, p.value, p.type, address_taken_in_body(d, p.name));
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
  for (auto &p : pending)
    bind(p.name, p.value, p.type, address_taken_in_body(d, p.name));
  size_t body = 2;
  for (; body < d.size() && d[body]->head_is("declare"); ++body) {
    for (size_t i = 1; i < d[body]->size(); ++i) {
      const Datum &decl = *(*d[body])[i];
      if (!decl.head_is("type") || decl.size() < 3) continue;
      auto type = decl[1]->is_symbol() ? parse_scalar(decl[1]->text) : std::nullopt;
      if (!type) {
        internal(decl[1]->span, "unchecked type");
        break;
      }
      for (size_t v = 2; v < decl.size(); ++v) {
        Variable *var = decl[v]->is_symbol() ? find_variable(decl[v]->text) : nullptr;
        if (!var) {
          internal(decl[v]->span, "unchecked declared variable");
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
  Value last = Value::of(0);
  for (size_t i = 1; i + 1 < d.size() && !failed_; i += 2)
    last = assign(*d[i], d[i + 1], d.span);
  return last;
}

Value Lowerer::assign(const Datum &place, const DatumPtr &value_form, const Span &) {
  if (place.is_symbol()) {
    Variable *var = find_variable(place.text);
    if (!var) {
      internal(place.span, "unchecked variable");
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
  return store_struct_field(place, v);
}

Value Lowerer::lower_incf(const Datum &d, bool decrement) {
  const Datum &place = *d[1];
  DatumPtr delta = d.size() == 3 ? d[2] : make_int(1, d.span);
  // Other places were rewritten to setf by the expander (expand/desugar.cpp).
  if (!place.head_is("getmap")) {
    internal(d.span, "unchecked incf place");
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
