// Lowering of memory access: load/store, atomics, the context, structs and the stack.
#include "compiler/lower/lowerer.h"

#include <linux/bpf.h>

namespace xdpchain::compiler::lowering {

namespace {
uint8_t size_of(Scalar s) {
  return static_cast<uint8_t>(scalar_size(s));
}
} // namespace

std::pair<ir::Reg, int32_t> Lowerer::address(const Datum &ptr, int64_t offset) {
  // (+ P C) folds C into the instruction's offset, as a C compiler would.
  if (ptr.head_is("+") && ptr.size() == 3) {
    if (ptr[2]->is_int()) return address(*ptr[1], offset + ptr[2]->integer);
    if (ptr[1]->is_int()) return address(*ptr[2], offset + ptr[1]->integer);
  }
  if (offset < INT16_MIN || offset > INT16_MAX) {
    fail(ptr.span, "memory offset " + std::to_string(offset) + " does not fit in 16 bits");
    return {ir::kFramePointer, 0};
  }
  Value base = lower(std::make_shared<Datum>(ptr));
  if (failed_) return {ir::kFramePointer, 0};
  if (base.is_const()) {
    fail(ptr.span, "memory access through the constant address " + std::to_string(base.constant));
    return {ir::kFramePointer, 0};
  }
  return {base.reg, static_cast<int32_t>(offset)};
}

Value Lowerer::load_typed(ir::Reg base, int32_t off, Scalar type) {
  ir::Inst inst;
  inst.op = ir::Op::load;
  inst.dst = fn_.new_vreg();
  inst.base = base;
  inst.off = off;
  inst.size = size_of(type);
  emit(inst);
  Value v = Value::in(inst.dst, true);
  if (scalar_signed(type)) v = narrow(v, type);
  return v;
}

void Lowerer::store_typed(ir::Reg base, int32_t off, Scalar type, const Value &v) {
  ir::Inst inst;
  inst.op = ir::Op::store;
  inst.base = base;
  inst.off = off;
  inst.size = size_of(type);
  inst.src = v.is_const() && v.constant >= INT32_MIN && v.constant <= INT32_MAX
                 ? ir::Operand::i(v.constant)
                 : ir::Operand::r(reg_of(v));
  emit(inst);
}

Value Lowerer::lower_load(const Datum &d) {
  if (!check_arity(d, 2, 3, "(load TYPE PTR [OFFSET])")) return Value::none();
  auto type = d[1]->is_symbol() ? parse_scalar(d[1]->text) : std::nullopt;
  if (!type) {
    fail(d[1]->span,
         "load: unknown type '" + to_string(*d[1]) + "': expected u8 u16 u32 u64 i8 i16 i32 i64");
    return Value::none();
  }
  int64_t off = 0;
  if (d.size() == 4) {
    if (!d[3]->is_int()) {
      fail(d[3]->span, "load: the offset must be a constant");
      return Value::none();
    }
    off = d[3]->integer;
  }
  auto [base, offset] = address(*d[2], off);
  if (failed_) return Value::none();
  return load_typed(base, offset, *type);
}

Value Lowerer::store_load_place(const Datum &place, const Value &v) {
  if (place.size() < 3 || place.size() > 4) {
    fail(place.span, "setf: expected (load TYPE PTR [OFFSET]) as the place");
    return Value::none();
  }
  auto type = place[1]->is_symbol() ? parse_scalar(place[1]->text) : std::nullopt;
  if (!type) {
    fail(place[1]->span, "load: unknown type '" + to_string(*place[1]) + "'");
    return Value::none();
  }
  int64_t off = 0;
  if (place.size() == 4) {
    if (!place[3]->is_int()) {
      fail(place[3]->span, "load: the offset must be a constant");
      return Value::none();
    }
    off = place[3]->integer;
  }
  auto [base, offset] = address(*place[2], off);
  if (!failed_) store_typed(base, offset, *type, v);
  return Value::of(0);
}

Value Lowerer::lower_store(const Datum &d) {
  if (!check_arity(d, 4, 4, "(store TYPE PTR OFFSET VALUE)")) return Value::none();
  auto type = d[1]->is_symbol() ? parse_scalar(d[1]->text) : std::nullopt;
  if (!type) {
    fail(d[1]->span,
         "store: unknown type '" + to_string(*d[1]) + "': expected u8 u16 u32 u64 i8 i16 i32 i64");
    return Value::none();
  }
  if (!d[3]->is_int()) {
    fail(d[3]->span, "store: the offset must be a constant");
    return Value::none();
  }
  Value v = lower(d[4]);
  auto [base, offset] = address(*d[2], d[3]->integer);
  if (failed_) return Value::none();
  store_typed(base, offset, *type, v);
  return Value::of(0);
}

Value Lowerer::lower_atomic_add(const Datum &d) {
  if (!check_arity(d, 3, 4, "(atomic-add PTR OFFSET VALUE [TYPE])")) return Value::none();
  Scalar type = Scalar::u64;
  if (d.size() == 5) {
    auto t = d[4]->is_symbol() ? parse_scalar(d[4]->text) : std::nullopt;
    if (!t || (scalar_size(*t) != 4 && scalar_size(*t) != 8)) {
      fail(d[4]->span, "atomic-add: the type must be u32, u64, i32 or i64");
      return Value::none();
    }
    type = *t;
  }
  if (!d[2]->is_int()) {
    fail(d[2]->span, "atomic-add: the offset must be a constant");
    return Value::none();
  }
  Value v = lower(d[3]);
  auto [base, offset] = address(*d[1], d[2]->integer);
  if (failed_) return Value::none();
  ir::Inst inst;
  inst.op = ir::Op::atomic_add;
  inst.base = base;
  inst.off = offset;
  inst.size = size_of(type);
  inst.src = ir::Operand::r(reg_of(v));
  emit(inst);
  return Value::of(0);
}

Value Lowerer::lower_ctx(const Datum &d) {
  if (d.head() == "ctx-ptr") {
    if (!check_arity(d, 0, 0, "(ctx-ptr)")) return Value::none();
    return Value::in(ctx_, false);
  }
  if (!check_arity(d, 1, 1, "(ctx FIELD)")) return Value::none();
  const ContextField *field =
      d[1]->is_symbol() ? find_context_field(*program_.type, d[1]->text) : nullptr;
  if (!field) {
    std::string names;
    for (const auto &f : program_.type->fields)
      names += (names.empty() ? "" : " ") + f.name;
    Diagnostic &diag = diags_.error(
        d[1]->span,
        "'" + to_string(*d[1]) + "' is not a field of the :" + program_.type->keyword + " context");
    if (!names.empty()) diag.hints.push_back("fields: " + names);
    failed_ = true;
    return Value::none();
  }
  Scalar type = field->size == 8 ? Scalar::u64 : field->size == 2 ? Scalar::u16 : Scalar::u32;
  return load_typed(ctx_, static_cast<int32_t>(field->offset), type);
}

Value Lowerer::store_ctx(const Datum &place, const Value &v) {
  if (place.size() != 2 || !place[1]->is_symbol()) {
    fail(place.span, "setf: expected (ctx FIELD) as the place");
    return Value::none();
  }
  const ContextField *field = find_context_field(*program_.type, place[1]->text);
  if (!field) {
    fail(place[1]->span,
         "'" + place[1]->text + "' is not a field of the :" + program_.type->keyword + " context");
    return Value::none();
  }
  Scalar type = field->size == 8 ? Scalar::u64 : Scalar::u32;
  store_typed(ctx_, static_cast<int32_t>(field->offset), type, v);
  return v;
}

Value Lowerer::stack_pointer(int offset) {
  ir::Reg r = fn_.new_vreg();
  emit_mov(r, ir::Operand::r(ir::kFramePointer));
  emit_alu(BPF_ADD, r, ir::Operand::i(offset));
  return Value::in(r, true);
}

Value Lowerer::lower_stack_addr(const Datum &d) {
  if (!check_arity(d, 1, 1, "(stack-addr VARIABLE)")) return Value::none();
  Variable *var = d[1]->is_symbol() ? find_variable(d[1]->text) : nullptr;
  if (!var || !var->on_stack) {
    fail(d[1]->span,
         "stack-addr: expected a variable bound by let, found '" + to_string(*d[1]) + "'");
    return Value::none();
  }
  return stack_pointer(var->stack_offset);
}

Value Lowerer::lower_memset(const Datum &d) {
  if (!check_arity(d, 4, 4, "(memset PTR OFFSET VALUE N)")) return Value::none();
  if (!d[2]->is_int() || !d[3]->is_int() || !d[4]->is_int() || d[4]->integer < 0 ||
      d[4]->integer > 512) {
    fail(d.span, "memset: OFFSET, VALUE and N must be constants (N at most 512)");
    return Value::none();
  }
  auto [base, offset] = address(*d[1], d[2]->integer);
  if (failed_) return Value::none();
  uint8_t byte = static_cast<uint8_t>(d[3]->integer);
  int64_t n = d[4]->integer;
  for (int64_t done = 0; done < n;) {
    int width = n - done >= 8 ? 8 : n - done >= 4 ? 4 : n - done >= 2 ? 2 : 1;
    uint64_t pattern = 0;
    for (int i = 0; i < width; ++i)
      pattern = (pattern << 8) | byte;
    Value v = Value::of(width == 8 ? static_cast<int64_t>(pattern)
                                   : static_cast<int64_t>(static_cast<int32_t>(pattern)));
    Scalar t = width == 8   ? Scalar::u64
               : width == 4 ? Scalar::u32
               : width == 2 ? Scalar::u16
                            : Scalar::u8;
    store_typed(base, static_cast<int32_t>(offset + done), t, v);
    done += width;
  }
  return Value::of(0);
}

Value Lowerer::lower_memcpy(const Datum &d) {
  if (!check_arity(d, 5, 5, "(memcpy DST DOFF SRC SOFF N)")) return Value::none();
  if (!d[2]->is_int() || !d[4]->is_int() || !d[5]->is_int() || d[5]->integer < 0 ||
      d[5]->integer > 512) {
    fail(d.span, "memcpy: DOFF, SOFF and N must be constants (N at most 512)");
    return Value::none();
  }
  auto [dst, doff] = address(*d[1], d[2]->integer);
  auto [src, soff] = address(*d[3], d[4]->integer);
  if (failed_) return Value::none();
  int64_t n = d[5]->integer;
  for (int64_t done = 0; done < n;) {
    int width = n - done >= 8 ? 8 : n - done >= 4 ? 4 : n - done >= 2 ? 2 : 1;
    Scalar t = width == 8   ? Scalar::u64
               : width == 4 ? Scalar::u32
               : width == 2 ? Scalar::u16
                            : Scalar::u8;
    Value v = load_typed(src, static_cast<int32_t>(soff + done), t);
    store_typed(dst, static_cast<int32_t>(doff + done), t, v);
    done += width;
  }
  return Value::of(0);
}

std::optional<Lowerer::Accessor> Lowerer::find_accessor(const std::string &name) const {
  for (const StructDef &s : model_.structs) {
    if (name.size() <= s.name.size() + 1 || name.compare(0, s.name.size(), s.name) != 0 ||
        name[s.name.size()] != '-')
      continue;
    std::string rest = name.substr(s.name.size() + 1);
    if (const StructField *f = s.field(rest)) return Accessor{&s, f, false};
    if (rest.size() > 4 && rest.compare(rest.size() - 4, 4, "-ptr") == 0)
      if (const StructField *f = s.field(rest.substr(0, rest.size() - 4)))
        return Accessor{&s, f, true};
  }
  return std::nullopt;
}

bool Lowerer::is_struct_form(const std::string &head) const {
  if (head == "sizeof") return true;
  if (head.rfind("make-", 0) == 0 && model_.find_struct(head.substr(5))) return true;
  return find_accessor(head).has_value();
}

Value Lowerer::lower_struct_form(const Datum &d) {
  const std::string &h = d.head();
  if (h == "sizeof") {
    if (!check_arity(d, 1, 1, "(sizeof STRUCT)")) return Value::none();
    if (d[1]->is_symbol()) {
      if (const StructDef *s = model_.find_struct(d[1]->text)) return Value::of(s->size);
      if (auto t = parse_scalar(d[1]->text)) return Value::of(scalar_size(*t));
    }
    fail(d[1]->span, "sizeof: '" + to_string(*d[1]) + "' is not a defstruct or scalar type");
    return Value::none();
  }
  if (h.rfind("make-", 0) == 0 && !find_accessor(h)) {
    if (!check_arity(d, 0, 0, "no arguments")) return Value::none();
    const StructDef *s = model_.find_struct(h.substr(5));
    int size = static_cast<int>((s->size + 7) / 8 * 8);
    if (fn_.stack_size + size > 512) {
      fail(d.span, "make-" + s->name + ": the 512-byte BPF stack is full");
      return Value::none();
    }
    int offset = fn_.alloc_stack(size, 8);
    for (int i = 0; i < size; i += 8)
      store_typed(ir::kFramePointer, offset + i, Scalar::u64, Value::of(0));
    return stack_pointer(offset);
  }
  auto accessor = find_accessor(h);
  if (!check_arity(d, 1, 1, "(ACCESSOR POINTER)")) return Value::none();
  if (accessor->pointer || accessor->field->type.count > 0) {
    Value p = lower(d[1]);
    if (failed_) return Value::none();
    if (accessor->field->offset == 0) return p;
    ir::Reg r = temp_of(p);
    emit_alu(BPF_ADD, r, ir::Operand::i(accessor->field->offset));
    return Value::in(r, true);
  }
  auto [base, offset] = address(*d[1], accessor->field->offset);
  if (failed_) return Value::none();
  return load_typed(base, offset, accessor->field->type.scalar);
}

Value Lowerer::store_struct_field(const Datum &place, const Value &v) {
  auto accessor = find_accessor(place.head());
  if (!accessor || accessor->pointer || accessor->field->type.count > 0 || place.size() != 2) {
    fail(place.span, "setf: '" + place.head() + "' is not an assignable struct field");
    return Value::none();
  }
  auto [base, offset] = address(*place[1], accessor->field->offset);
  if (!failed_) store_typed(base, offset, accessor->field->type.scalar, v);
  return v;
}

} // namespace xdpchain::compiler::lowering
