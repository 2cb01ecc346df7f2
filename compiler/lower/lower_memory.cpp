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

// The type and constant offset of (load TYPE PTR [OFFSET]) and (store TYPE PTR OFFSET V),
// which the semantic check has made sure of.
std::optional<Scalar> Lowerer::checked_access(const Datum &d, size_t offset_at) {
  auto type = parse_scalar(d[1]->text);
  if (!type || (offset_at < d.size() && !d[offset_at]->is_int())) {
    internal(d.span, "unchecked memory access");
    return std::nullopt;
  }
  return type;
}

Value Lowerer::lower_load(const Datum &d) {
  auto type = checked_access(d, 3);
  if (!type) return Value::none();
  auto [base, offset] = address(*d[2], d.size() == 4 ? d[3]->integer : 0);
  if (failed_) return Value::none();
  return load_typed(base, offset, *type);
}

Value Lowerer::store_load_place(const Datum &place, const Value &v) {
  auto type = checked_access(place, 3);
  if (!type) return Value::none();
  auto [base, offset] = address(*place[2], place.size() == 4 ? place[3]->integer : 0);
  if (!failed_) store_typed(base, offset, *type, v);
  return Value::of(0);
}

Value Lowerer::lower_store(const Datum &d) {
  auto type = checked_access(d, 3);
  if (!type) return Value::none();
  Value v = lower(d[4]);
  auto [base, offset] = address(*d[2], d[3]->integer);
  if (failed_) return Value::none();
  store_typed(base, offset, *type, v);
  return Value::of(0);
}

Value Lowerer::lower_atomic_add(const Datum &d) {
  Scalar type = Scalar::u64;
  if (d.size() == 5) {
    auto t = parse_scalar(d[4]->text);
    if (!t || (scalar_size(*t) != 4 && scalar_size(*t) != 8)) {
      internal(d[4]->span, "unchecked atomic type");
      return Value::none();
    }
    type = *t;
  }
  if (!d[2]->is_int()) {
    internal(d[2]->span, "unchecked offset");
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
  if (d.size() == 1) return Value::in(ctx_, false); // (ctx-ptr)
  const ContextField *field =
      d[1]->is_symbol() ? find_context_field(*program_.type, d[1]->text) : nullptr;
  if (!field) {
    internal(d[1]->span, "unchecked context field");
    return Value::none();
  }
  Scalar type = field->size == 8 ? Scalar::u64 : field->size == 2 ? Scalar::u16 : Scalar::u32;
  return load_typed(ctx_, static_cast<int32_t>(field->offset), type);
}

Value Lowerer::store_ctx(const Datum &place, const Value &v) {
  const ContextField *field =
      place.size() == 2 ? find_context_field(*program_.type, place[1]->text) : nullptr;
  if (!field) {
    internal(place.span, "unchecked context field");
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
  Variable *var = d[1]->is_symbol() ? find_variable(d[1]->text) : nullptr;
  if (!var || !var->on_stack) {
    internal(d[1]->span, "unchecked stack-addr variable");
    return Value::none();
  }
  return stack_pointer(var->stack_offset);
}

Value Lowerer::lower_memset(const Datum &d) {
  if (!d[2]->is_int() || !d[3]->is_int() || !d[4]->is_int() || d[4]->integer < 0 ||
      d[4]->integer > kMaxByteCount) {
    internal(d.span, "unchecked memset");
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
  if (!d[2]->is_int() || !d[4]->is_int() || !d[5]->is_int() || d[5]->integer < 0 ||
      d[5]->integer > kMaxByteCount) {
    internal(d.span, "unchecked memcpy");
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

Value Lowerer::lower_sizeof(const Datum &d) {
  if (d[1]->is_symbol()) {
    if (const StructDef *s = model_.find_struct(d[1]->text)) return Value::of(s->size);
    if (auto t = parse_scalar(d[1]->text)) return Value::of(scalar_size(*t));
  }
  internal(d[1]->span, "unchecked sizeof");
  return Value::none();
}

Value Lowerer::lower_make_struct(const Datum &d, const StructDef &s) {
  int size = static_cast<int>((s.size + 7) / 8 * 8);
  if (fn_.stack_size + size > 512) {
    fail(d.span, "make-" + s.name + ": the 512-byte BPF stack is full");
    return Value::none();
  }
  int offset = fn_.alloc_stack(size, 8);
  for (int i = 0; i < size; i += 8)
    store_typed(ir::kFramePointer, offset + i, Scalar::u64, Value::of(0));
  return stack_pointer(offset);
}

Value Lowerer::lower_accessor(const Datum &d, const StructAccessor &accessor) {
  if (accessor.pointer || accessor.field->type.count > 0) {
    Value p = lower(d[1]);
    if (failed_) return Value::none();
    if (accessor.field->offset == 0) return p;
    ir::Reg r = temp_of(p);
    emit_alu(BPF_ADD, r, ir::Operand::i(accessor.field->offset));
    return Value::in(r, true);
  }
  auto [base, offset] = address(*d[1], accessor.field->offset);
  if (failed_) return Value::none();
  return load_typed(base, offset, accessor.field->type.scalar);
}

Value Lowerer::store_struct_field(const Datum &place, const Value &v) {
  auto accessor = find_accessor(model_, place.head());
  if (!accessor || !accessor->assignable() || place.size() != 2) {
    internal(place.span, "unchecked place");
    return Value::none();
  }
  auto [base, offset] = address(*place[1], accessor->field->offset);
  if (!failed_) store_typed(base, offset, accessor->field->type.scalar, v);
  return v;
}

} // namespace xdpchain::compiler::lowering
