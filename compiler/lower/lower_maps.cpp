// Lowering of map operations, helper calls and tail calls.
#include "compiler/lower/lowerer.h"

#include "compiler/helpers/helpers.h"

#include <linux/bpf.h>

namespace xdpchain::compiler::lowering {

namespace {

bool is_array_map(uint32_t type) {
  return type == BPF_MAP_TYPE_ARRAY || type == BPF_MAP_TYPE_PERCPU_ARRAY;
}

int helper_id(const char *name) {
  return find_helper(name)->id;
}

} // namespace

bool Lowerer::value_is_pointer(const MapDef &map) const {
  return !map.value_struct.empty() || !unsigned_scalar_of_size(map.value_size);
}

int Lowerer::map_of(const Datum &d) {
  int index = d.is_symbol() ? model_.find_map(d.text) : -1;
  if (index < 0) internal(d.span, "unchecked map");
  return index;
}

Arg Lowerer::key_arg(int map, const Datum &key, bool is_pointer) {
  const MapDef &m = model_.maps[map];
  Value v = lower(std::make_shared<Datum>(key));
  auto scalar = m.key_struct.empty() ? unsigned_scalar_of_size(m.key_size) : std::nullopt;
  if (is_pointer || !scalar) {
    if (!is_pointer && v.is_const()) internal(key.span, "unchecked constant key");
    return Arg{Arg::Kind::value, v, -1, 0};
  }
  int offset = fn_.alloc_stack(8, 8);
  store_typed(ir::kFramePointer, offset, *scalar, v);
  return Arg{Arg::Kind::stack_address, {}, -1, offset};
}

Arg Lowerer::value_arg(int map, const Datum &value, bool is_pointer) {
  const MapDef &m = model_.maps[map];
  Value v = lower(std::make_shared<Datum>(value));
  if (is_pointer || value_is_pointer(m)) return Arg{Arg::Kind::value, v, -1, 0};
  int offset = fn_.alloc_stack(8, 8);
  store_typed(ir::kFramePointer, offset, *unsigned_scalar_of_size(m.value_size), v);
  return Arg{Arg::Kind::stack_address, {}, -1, offset};
}

Value Lowerer::call_helper(int id, const std::vector<Arg> &args) {
  if (failed_) return Value::none();
  if (fn_.stack_size > 512) {
    fail(Span{}, "program '" + program_.name + "' needs more than the 512-byte BPF stack");
    return Value::none();
  }
  for (size_t i = 0; i < args.size(); ++i) {
    ir::Reg r = static_cast<ir::Reg>(i + 1);
    const Arg &a = args[i];
    if (a.kind == Arg::Kind::map) {
      ir::Inst inst;
      inst.op = ir::Op::ld_map;
      inst.dst = r;
      inst.map = a.map;
      emit(inst);
    } else if (a.kind == Arg::Kind::stack_address) {
      emit_mov(r, ir::Operand::r(ir::kFramePointer));
      emit_alu(BPF_ADD, r, ir::Operand::i(a.offset));
    } else {
      move_into(r, a.value);
    }
  }
  ir::Inst call;
  call.op = ir::Op::call;
  call.imm = id;
  call.nargs = static_cast<int>(args.size());
  emit(call);
  ir::Reg result = fn_.new_vreg();
  emit_mov(result, ir::Operand::r(0));
  return Value::in(result, true);
}

namespace {
// Stack slots for keys and values live only until the helper call returns: a map
// operation gives back what its arguments took.
struct ScratchStack {
  explicit ScratchStack(ir::Function &fn) : fn_(fn), mark_(fn.stack_size) {}
  ~ScratchStack() { fn_.stack_size = mark_; }
  ir::Function &fn_;
  int mark_;
};
} // namespace

Value Lowerer::lower_map_op(const Datum &d, FormKind kind) {
  ScratchStack scratch(fn_);
  const std::string &h = d.head();
  bool ptr = h.size() > 4 && h.compare(h.size() - 4, 4, "-ptr") == 0;
  if (kind == FormKind::map_lookup || kind == FormKind::map_delete) {
    int map = map_of(*d[1]);
    if (failed_) return Value::none();
    Arg key = key_arg(map, *d[2], ptr);
    Arg m{Arg::Kind::map, {}, map, 0};
    return call_helper(
        helper_id(kind == FormKind::map_lookup ? "map_lookup_elem" : "map_delete_elem"), {m, key});
  }
  // map-update and setmap: (OP MAP KEY VALUE [FLAGS])
  int map = map_of(*d[1]);
  if (failed_) return Value::none();
  Arg key = key_arg(map, *d[2], ptr);
  Arg value = value_arg(map, *d[3], ptr);
  Value flags = d.size() == 5 ? lower(d[4]) : Value::of(BPF_ANY);
  return call_helper(helper_id("map_update_elem"), {Arg{Arg::Kind::map, {}, map, 0}, key, value,
                                                    Arg{Arg::Kind::value, flags, -1, 0}});
}

Value Lowerer::lower_getmap(const Datum &d) {
  ScratchStack scratch(fn_);
  int map = map_of(*d[1]);
  if (failed_) return Value::none();
  const MapDef &m = model_.maps[map];
  Arg key = key_arg(map, *d[2], false);
  Value p = call_helper(helper_id("map_lookup_elem"), {Arg{Arg::Kind::map, {}, map, 0}, key});
  if (failed_ || value_is_pointer(m)) return p;
  ir::Reg result = fn_.new_vreg();
  int done = fn_.new_label();
  emit_mov(result, ir::Operand::i(0));
  emit_jump(BPF_JEQ, p.reg, ir::Operand::i(0), done);
  Value loaded = load_typed(p.reg, 0, *unsigned_scalar_of_size(m.value_size));
  move_into(result, loaded);
  emit_label(done);
  return Value::in(result, true);
}

Value Lowerer::store_getmap(const Datum &place, const DatumPtr &value_form) {
  ScratchStack scratch(fn_);
  if (place.size() != 3) {
    internal(place.span, "unchecked getmap");
    return Value::none();
  }
  int map = map_of(*place[1]);
  if (failed_) return Value::none();
  Arg key = key_arg(map, *place[2], false);
  Arg value = value_arg(map, *value_form, false);
  return call_helper(helper_id("map_update_elem"),
                     {Arg{Arg::Kind::map, {}, map, 0}, key, value,
                      Arg{Arg::Kind::value, Value::of(BPF_ANY), -1, 0}});
}

Value Lowerer::increment_map(const Datum &place, const Value &delta) {
  ScratchStack scratch(fn_);
  if (place.size() != 3) {
    internal(place.span, "unchecked getmap");
    return Value::none();
  }
  int map = map_of(*place[1]);
  if (failed_) return Value::none();
  const MapDef &m = model_.maps[map];
  auto scalar = unsigned_scalar_of_size(m.value_size);
  if (!scalar || !m.value_struct.empty()) {
    internal(place.span, "unchecked incf map");
    return Value::none();
  }
  Arg key = key_arg(map, *place[2], false);
  Arg map_arg{Arg::Kind::map, {}, map, 0};
  Value p = call_helper(helper_id("map_lookup_elem"), {map_arg, key});
  if (failed_) return Value::none();
  int missing = fn_.new_label(), done = fn_.new_label();
  emit_jump(BPF_JEQ, p.reg, ir::Operand::i(0), missing);
  if (m.value_size == 8 || m.value_size == 4) {
    ir::Inst add;
    add.op = ir::Op::atomic_add;
    add.base = p.reg;
    add.off = 0;
    add.size = static_cast<uint8_t>(m.value_size);
    add.src = ir::Operand::r(reg_of(delta));
    emit(add);
  } else {
    Value old = load_typed(p.reg, 0, *scalar);
    ir::Reg sum = temp_of(old);
    emit_alu(BPF_ADD, sum, operand_of(delta));
    store_typed(p.reg, 0, *scalar, Value::in(sum, true));
  }
  if (is_array_map(m.type)) {
    emit_label(missing);
    return Value::of(0);
  }
  emit_ja(done);
  emit_label(missing);
  // Hash maps: insert the delta when the key is new.
  int offset = fn_.alloc_stack(8, 8);
  store_typed(ir::kFramePointer, offset, *scalar, delta);
  call_helper(helper_id("map_update_elem"),
              {map_arg, key, Arg{Arg::Kind::stack_address, {}, -1, offset},
               Arg{Arg::Kind::value, Value::of(BPF_ANY), -1, 0}});
  emit_label(done);
  return Value::of(0);
}

Value Lowerer::lower_tail_call(const Datum &d) {
  int map = map_of(*d[1]);
  if (failed_) return Value::none();
  if (model_.maps[map].type != BPF_MAP_TYPE_PROG_ARRAY) {
    internal(d[1]->span, "unchecked prog-array");
    return Value::none();
  }
  Value index = lower(d[2]);
  return call_helper(helper_id("tail_call"),
                     {Arg{Arg::Kind::value, Value::in(ctx_, false), -1, 0},
                      Arg{Arg::Kind::map, {}, map, 0}, Arg{Arg::Kind::value, index, -1, 0}});
}

Value Lowerer::lower_helper(const Datum &d, int id) {
  std::vector<Arg> args;
  for (size_t i = 1; i < d.size() && !failed_; ++i) {
    const Datum &a = *d[i];
    if (a.is_symbol() && !find_variable(a.text) && model_.find_map(a.text) >= 0) {
      args.push_back(Arg{Arg::Kind::map, {}, model_.find_map(a.text), 0});
      continue;
    }
    Value v = lower(d[i]);
    // A variable's register may be reassigned by a later argument: keep a copy.
    if (v.kind == Value::Kind::reg && !v.temp && i + 1 < d.size()) {
      ir::Reg copy = fn_.new_vreg();
      move_into(copy, v);
      v = Value::in(copy, true);
    }
    args.push_back(Arg{Arg::Kind::value, v, -1, 0});
  }
  return call_helper(id, args);
}

} // namespace xdpchain::compiler::lowering
