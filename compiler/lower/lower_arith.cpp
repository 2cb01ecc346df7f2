// Lowering of arithmetic, comparisons as values, byte swaps and casts.
#include "compiler/lower/lower_ops.h"
#include "compiler/lower/lowerer.h"

#include "compiler/fold/fold_constants.h"

#include <linux/bpf.h>

namespace xdpchain::compiler::lowering {

Value Lowerer::lower_arith(const Datum &d) {
  const std::string &h = d.head();
  if (h == "lognot") {
    Value v = lower(d[1]);
    if (v.is_const()) return Value::of(~v.constant);
    ir::Reg r = temp_of(v);
    emit_alu(BPF_XOR, r, ir::Operand::i(-1));
    return Value::in(r, true);
  }
  if (h == "ash") {
    Value v = lower(d[1]);
    Value s = lower(d[2]);
    if (failed_) return Value::none();
    if (!s.is_const()) {
      internal(d[2]->span, "ash shift not constant");
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
  auto type = parse_scalar(d[1]->text);
  if (!type) {
    internal(d[1]->span, "unchecked type");
    return Value::none();
  }
  return narrow(lower(d[2]), *type);
}

} // namespace xdpchain::compiler::lowering
