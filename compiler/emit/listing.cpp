#include "compiler/emit/listing.h"

#include "compiler/ir/ir.h"

#include <cstdio>

namespace xdpchain::compiler {

namespace {

const char *size_name(uint8_t size) {
  switch (size) {
  case BPF_B:
    return "u8";
  case BPF_H:
    return "u16";
  case BPF_W:
    return "u32";
  default:
    return "u64";
  }
}

std::string offset(int16_t off) {
  return (off >= 0 ? " +" : " -") + std::to_string(off >= 0 ? off : -off);
}

} // namespace

std::string format_insn(const bpf_insn &i, const bpf_insn *next) {
  uint8_t cls = BPF_CLASS(i.code);
  std::string dst = "r" + std::to_string(i.dst_reg), src = "r" + std::to_string(i.src_reg);
  bool is_x = BPF_SRC(i.code) == BPF_X;
  switch (cls) {
  case BPF_ALU:
  case BPF_ALU64: {
    std::string w = cls == BPF_ALU ? "w" : "r";
    std::string d = w + std::to_string(i.dst_reg);
    uint8_t op = BPF_OP(i.code);
    if (op == BPF_NEG) return d + " = -" + d;
    if (op == BPF_END) return d + " = be" + std::to_string(i.imm) + " " + d;
    return d + " " + ir::alu_name(op) + " " +
           (is_x ? w + std::to_string(i.src_reg) : std::to_string(i.imm));
  }
  case BPF_LD: {
    uint64_t imm = static_cast<uint32_t>(i.imm);
    if (next) imm |= static_cast<uint64_t>(static_cast<uint32_t>(next->imm)) << 32;
    return dst + " = " + std::to_string(imm) + " ll";
  }
  case BPF_LDX:
    return dst + " = *(" + size_name(BPF_SIZE(i.code)) + " *)(" + src + offset(i.off) + ")";
  case BPF_ST:
    return "*(" + std::string(size_name(BPF_SIZE(i.code))) + " *)(" + dst + offset(i.off) +
           ") = " + std::to_string(i.imm);
  case BPF_STX:
    if (BPF_MODE(i.code) == BPF_ATOMIC)
      return "lock *(" + std::string(size_name(BPF_SIZE(i.code))) + " *)(" + dst + offset(i.off) +
             ") += " + src;
    return "*(" + std::string(size_name(BPF_SIZE(i.code))) + " *)(" + dst + offset(i.off) +
           ") = " + src;
  case BPF_JMP:
  case BPF_JMP32: {
    uint8_t op = BPF_OP(i.code);
    if (op == BPF_EXIT) return "exit";
    if (op == BPF_CALL) return "call " + std::to_string(i.imm);
    if (op == BPF_JA) return "goto" + offset(i.off);
    std::string w = cls == BPF_JMP32 ? "w" : "r";
    return "if " + w + std::to_string(i.dst_reg) + " " + ir::jump_name(op) + " " +
           (is_x ? w + std::to_string(i.src_reg) : std::to_string(i.imm)) + " goto" + offset(i.off);
  }
  default:
    return "?";
  }
}

std::string format_listing(const CompiledObject &object) {
  std::string out;
  for (const CodeSection &section : object.sections) {
    for (const PlacedProgram &p : section.programs) {
      out += "\n" + p.def->c_name + ":  ; section \"" + section.name + "\", " +
             std::to_string(p.code.insns.size()) + " instructions\n";
      uint32_t last_line = 0;
      for (size_t k = 0; k < p.code.insns.size(); ++k) {
        const bpf_insn &insn = p.code.insns[k];
        bool second_half = k > 0 && p.code.insns[k - 1].code == (BPF_LD | BPF_IMM | BPF_DW);
        if (second_half) continue;
        uint32_t line = p.code.locs[k].line;
        if (line && line != last_line) {
          out += ";  " + object.source->name() + ":" + std::to_string(line) + ": " +
                 std::string(object.source->line_text(line)) + "\n";
          last_line = line;
        }
        char index[32];
        std::snprintf(index, sizeof(index), "%4zu: ", k);
        const bpf_insn *next = k + 1 < p.code.insns.size() ? &p.code.insns[k + 1] : nullptr;
        std::string text = format_insn(insn, next);
        for (const MapReloc &r : p.code.relocs)
          if (r.insn == k)
            text = "r" + std::to_string(insn.dst_reg) + " = map " +
                   object.model.maps[r.map].c_name + " ll";
        out += std::string("  ") + index + text + "\n";
      }
    }
  }
  return out;
}

} // namespace xdpchain::compiler
