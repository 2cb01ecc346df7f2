#include "compiler/ir/ir.h"

#include <linux/bpf.h>

#include <algorithm>

namespace xdpchain::compiler::ir {

int Function::alloc_stack(int size, int align) {
  stack_size = (stack_size + size + align - 1) / align * align;
  stack_peak = std::max(stack_peak, stack_size);
  return -stack_size;
}

std::vector<Reg> uses(const Inst &inst) {
  std::vector<Reg> out;
  auto src = [&] {
    if (!inst.src.is_imm && inst.src.reg != kNoReg) out.push_back(inst.src.reg);
  };
  switch (inst.op) {
  case Op::mov:
    src();
    break;
  case Op::alu:
    out.push_back(inst.dst);
    src();
    break;
  case Op::neg:
  case Op::endian:
    out.push_back(inst.dst);
    break;
  case Op::load:
    out.push_back(inst.base);
    break;
  case Op::store:
  case Op::atomic_add:
    out.push_back(inst.base);
    src();
    break;
  case Op::jump:
    out.push_back(inst.dst);
    src();
    break;
  case Op::call:
    for (int i = 1; i <= inst.nargs; ++i)
      out.push_back(i);
    break;
  case Op::exit:
    out.push_back(0);
    break;
  default:
    break;
  }
  return out;
}

std::vector<Reg> defs(const Inst &inst) {
  switch (inst.op) {
  case Op::mov:
  case Op::alu:
  case Op::neg:
  case Op::endian:
  case Op::ld_imm64:
  case Op::ld_map:
  case Op::load:
    return {inst.dst};
  case Op::call:
    return {0, 1, 2, 3, 4, 5};
  default:
    return {};
  }
}

bool is_pure(const Inst &inst) {
  switch (inst.op) {
  case Op::mov:
  case Op::alu:
  case Op::neg:
  case Op::endian:
  case Op::ld_imm64:
  case Op::ld_map:
  case Op::load:
    // Division by zero is defined in BPF (the result is 0), so ALU ops are pure.
    return true;
  default:
    return false;
  }
}

namespace {

std::string reg(Reg r) {
  if (r == kNoReg) return "?";
  if (is_virtual(r)) return "v" + std::to_string(r);
  return "r" + std::to_string(r);
}

std::string operand(const Operand &o) {
  return o.is_imm ? std::to_string(o.imm) : reg(o.reg);
}

const char *size_name(int size) {
  return size == 1 ? "u8" : size == 2 ? "u16" : size == 4 ? "u32" : "u64";
}

} // namespace

const char *alu_name(uint8_t code) {
  switch (code) {
  case BPF_ADD:
    return "+=";
  case BPF_SUB:
    return "-=";
  case BPF_MUL:
    return "*=";
  case BPF_DIV:
    return "/=";
  case BPF_MOD:
    return "%=";
  case BPF_AND:
    return "&=";
  case BPF_OR:
    return "|=";
  case BPF_XOR:
    return "^=";
  case BPF_LSH:
    return "<<=";
  case BPF_RSH:
    return ">>=";
  case BPF_ARSH:
    return "s>>=";
  case BPF_MOV:
    return "=";
  default:
    return "?=";
  }
}

const char *jump_name(uint8_t code) {
  switch (code) {
  case BPF_JEQ:
    return "==";
  case BPF_JNE:
    return "!=";
  case BPF_JGT:
    return ">";
  case BPF_JGE:
    return ">=";
  case BPF_JLT:
    return "<";
  case BPF_JLE:
    return "<=";
  case BPF_JSGT:
    return "s>";
  case BPF_JSGE:
    return "s>=";
  case BPF_JSLT:
    return "s<";
  case BPF_JSLE:
    return "s<=";
  case BPF_JSET:
    return "&";
  default:
    return "?";
  }
}

std::string to_string(const Inst &i) {
  std::string w = i.is32 ? "w" : "";
  switch (i.op) {
  case Op::mov:
    return w + reg(i.dst) + " = " + operand(i.src);
  case Op::alu:
    return w + reg(i.dst) + " " + alu_name(i.code) + " " + operand(i.src);
  case Op::neg:
    return reg(i.dst) + " = -" + reg(i.dst);
  case Op::endian:
    return reg(i.dst) + " = be" + std::to_string(i.imm) + " " + reg(i.dst);
  case Op::ld_imm64:
    return reg(i.dst) + " = " + std::to_string(i.imm) + " ll";
  case Op::ld_map:
    return reg(i.dst) + " = map[" + std::to_string(i.map) + "]";
  case Op::load:
    return reg(i.dst) + " = *(" + size_name(i.size) + " *)(" + reg(i.base) + " + " +
           std::to_string(i.off) + ")";
  case Op::store:
    return "*(" + std::string(size_name(i.size)) + " *)(" + reg(i.base) + " + " +
           std::to_string(i.off) + ") = " + operand(i.src);
  case Op::atomic_add:
    return "lock *(" + std::string(size_name(i.size)) + " *)(" + reg(i.base) + " + " +
           std::to_string(i.off) + ") += " + operand(i.src);
  case Op::jump:
    return "if " + w + reg(i.dst) + " " + jump_name(i.code) + " " + operand(i.src) + " goto L" +
           std::to_string(i.label);
  case Op::ja:
    return "goto L" + std::to_string(i.label);
  case Op::label:
    return "L" + std::to_string(i.label) + ":";
  case Op::call:
    return "call " + std::to_string(i.imm);
  case Op::exit:
    return "exit";
  }
  return "?";
}

std::string to_string(const Function &fn) {
  std::string out = fn.name + ":\n";
  for (const Inst &i : fn.insts)
    out += (i.op == Op::label ? "" : "  ") + to_string(i) + "\n";
  return out;
}

} // namespace xdpchain::compiler::ir
