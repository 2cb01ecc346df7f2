#include "compiler/emit/emit.h"

#include "common/insn_builder.h"

#include <map>

namespace xdpchain::compiler {

namespace {

uint8_t bpf_size(int bytes) {
  return bytes == 1 ? BPF_B : bytes == 2 ? BPF_H : bytes == 4 ? BPF_W : BPF_DW;
}

bpf::Reg reg(ir::Reg r) {
  return static_cast<bpf::Reg>(r);
}

} // namespace

Result<EmittedProgram> run_emit(const ir::Function &fn) {
  bpf::InsnBuilder b;
  EmittedProgram out;
  std::map<int, bpf::Label> labels;
  auto label = [&](int id) {
    auto it = labels.find(id);
    if (it == labels.end()) it = labels.emplace(id, b.new_label()).first;
    return it->second;
  };
  for (const ir::Inst &i : fn.insts) {
    if (i.op != ir::Op::label && (ir::is_virtual(i.dst) || ir::is_virtual(i.base) ||
                                  (!i.src.is_imm && ir::is_virtual(i.src.reg))))
      return Error(ErrorKind::invalid_argument, "emit: virtual register left in '" + fn.name + "'");
    size_t start = b.pos();
    switch (i.op) {
    case ir::Op::mov:
      if (i.src.is_imm)
        i.is32 ? b.mov32_imm(reg(i.dst), static_cast<int32_t>(i.src.imm))
               : b.mov64_imm(reg(i.dst), static_cast<int32_t>(i.src.imm));
      else
        i.is32 ? b.mov32_reg(reg(i.dst), reg(i.src.reg)) : b.mov64_reg(reg(i.dst), reg(i.src.reg));
      break;
    case ir::Op::alu:
      if (i.src.is_imm)
        i.is32 ? b.alu32_imm(i.code, reg(i.dst), static_cast<int32_t>(i.src.imm))
               : b.alu64_imm(i.code, reg(i.dst), static_cast<int32_t>(i.src.imm));
      else
        i.is32 ? b.alu32_reg(i.code, reg(i.dst), reg(i.src.reg))
               : b.alu64_reg(i.code, reg(i.dst), reg(i.src.reg));
      break;
    case ir::Op::neg:
      b.alu64_imm(BPF_NEG, reg(i.dst), 0);
      break;
    case ir::Op::endian:
      b.endian(reg(i.dst), true, static_cast<int32_t>(i.imm));
      break;
    case ir::Op::ld_imm64:
      b.ld_imm64(reg(i.dst), static_cast<uint64_t>(i.imm));
      break;
    case ir::Op::ld_map:
      out.relocs.push_back({b.pos(), i.map});
      b.ld_imm64(reg(i.dst), 0);
      break;
    case ir::Op::load:
      b.ldx(bpf_size(i.size), reg(i.dst), reg(i.base), static_cast<int16_t>(i.off));
      break;
    case ir::Op::store:
      if (i.src.is_imm)
        b.st_imm(bpf_size(i.size), reg(i.base), static_cast<int16_t>(i.off),
                 static_cast<int32_t>(i.src.imm));
      else
        b.stx(bpf_size(i.size), reg(i.base), static_cast<int16_t>(i.off), reg(i.src.reg));
      break;
    case ir::Op::atomic_add:
      b.atomic_add(bpf_size(i.size), reg(i.base), static_cast<int16_t>(i.off), reg(i.src.reg));
      break;
    case ir::Op::jump:
      if (i.src.is_imm)
        i.is32 ? b.jmp32_imm(i.code, reg(i.dst), static_cast<int32_t>(i.src.imm), label(i.label))
               : b.jmp_imm(i.code, reg(i.dst), static_cast<int32_t>(i.src.imm), label(i.label));
      else
        b.jmp_reg(i.code, reg(i.dst), reg(i.src.reg), label(i.label));
      break;
    case ir::Op::ja:
      b.ja(label(i.label));
      break;
    case ir::Op::label:
      b.bind(label(i.label));
      break;
    case ir::Op::call:
      b.call_helper(static_cast<int32_t>(i.imm));
      break;
    case ir::Op::exit:
      b.exit_insn();
      break;
    }
    for (size_t k = start; k < b.pos(); ++k)
      out.locs.push_back(i.loc);
  }
  auto insns = b.assemble();
  if (!insns) return std::move(insns).error().wrap("program '" + fn.name + "'");
  out.insns = std::move(*insns);
  return out;
}

} // namespace xdpchain::compiler
