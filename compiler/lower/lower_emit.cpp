// Lowering: IR emission helpers shared by the lower_*.cpp files (instructions, labels,
// jumps, moving values into registers, narrowing to a scalar type) and error reporting.
#include "compiler/lower/lower_ops.h"
#include "compiler/lower/lowerer.h"

namespace xdpchain::compiler::lowering {

Lowerer::Lowerer(const ProgramModel &model, const ProgramDef &program, Diagnostics &diags)
    : model_(model), program_(program), diags_(diags) {
  fn_.name = program.c_name;
}

bool Lowerer::fail(const Span &span, const std::string &message) {
  if (!failed_) diags_.error(span, message);
  failed_ = true;
  return false;
}

void Lowerer::internal(const Span &span, const std::string &what) {
  if (!failed_) {
    Diagnostic &d = diags_.error(span, "internal compiler error: " + what +
                                           " reached lowering (the semantic check missed it)");
    d.code = "internal";
    d.hints.push_back("please report this with the source file");
  }
  failed_ = true;
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

} // namespace xdpchain::compiler::lowering
