#include "common/insn_builder.h"

#include <limits>
#include <string>

namespace xdpchain::bpf {

namespace {

bpf_insn make(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
  bpf_insn insn{};
  insn.code = code;
  insn.dst_reg = dst & 0xf;
  insn.src_reg = src & 0xf;
  insn.off = off;
  insn.imm = imm;
  return insn;
}

} // namespace

Label InsnBuilder::new_label() {
  label_pos_.push_back(-1);
  return Label{static_cast<int>(label_pos_.size() - 1)};
}

void InsnBuilder::bind(Label label) {
  label_pos_.at(label.id) = static_cast<long>(insns_.size());
}

void InsnBuilder::alu(uint8_t cls, uint8_t op, uint8_t src_kind, Reg dst, Reg src, int32_t imm) {
  insns_.push_back(make(cls | op | src_kind, dst, src, 0, imm));
}

void InsnBuilder::endian(Reg dst, bool to_be, int32_t width) {
  insns_.push_back(make(BPF_ALU | BPF_END | (to_be ? BPF_TO_BE : BPF_TO_LE), dst, 0, 0, width));
}

void InsnBuilder::ld_imm64(Reg dst, uint64_t imm) {
  insns_.push_back(make(BPF_LD | BPF_DW | BPF_IMM, dst, 0, 0, static_cast<int32_t>(imm)));
  insns_.push_back(make(0, 0, 0, 0, static_cast<int32_t>(imm >> 32)));
}

void InsnBuilder::ld_map_fd(Reg dst, MapRef map) {
  insns_.push_back(make(BPF_LD | BPF_DW | BPF_IMM, dst, BPF_PSEUDO_MAP_FD, 0, map.get()));
  insns_.push_back(make(0, 0, 0, 0, 0));
}

void InsnBuilder::ld_map_value(Reg dst, MapRef map, uint32_t offset) {
  insns_.push_back(make(BPF_LD | BPF_DW | BPF_IMM, dst, BPF_PSEUDO_MAP_VALUE, 0, map.get()));
  insns_.push_back(make(0, 0, 0, 0, static_cast<int32_t>(offset)));
}

void InsnBuilder::ldx(uint8_t size, Reg dst, Reg src, int16_t off) {
  insns_.push_back(make(BPF_LDX | BPF_MEM | size, dst, src, off, 0));
}

void InsnBuilder::stx(uint8_t size, Reg dst, int16_t off, Reg src) {
  insns_.push_back(make(BPF_STX | BPF_MEM | size, dst, src, off, 0));
}

void InsnBuilder::st_imm(uint8_t size, Reg dst, int16_t off, int32_t imm) {
  insns_.push_back(make(BPF_ST | BPF_MEM | size, dst, 0, off, imm));
}

void InsnBuilder::atomic_add(uint8_t size, Reg dst, int16_t off, Reg src) {
  insns_.push_back(make(BPF_STX | BPF_ATOMIC | size, dst, src, off, BPF_ADD));
}

void InsnBuilder::jump(uint8_t cls, uint8_t op, uint8_t src_kind, Reg dst, Reg src, int32_t imm,
                       Label target) {
  fixups_.push_back({insns_.size(), target.id, FixupKind::jump});
  insns_.push_back(make(cls | op | src_kind, dst, src, 0, imm));
}

void InsnBuilder::jmp_imm(uint8_t op, Reg dst, int32_t imm, Label target) {
  jump(BPF_JMP, op, BPF_K, dst, R0, imm, target);
}

void InsnBuilder::jmp_reg(uint8_t op, Reg dst, Reg src, Label target) {
  jump(BPF_JMP, op, BPF_X, dst, src, 0, target);
}

void InsnBuilder::jmp32_imm(uint8_t op, Reg dst, int32_t imm, Label target) {
  jump(BPF_JMP32, op, BPF_K, dst, R0, imm, target);
}

void InsnBuilder::ja(Label target) {
  jump(BPF_JMP, BPF_JA, BPF_K, R0, R0, 0, target);
}

void InsnBuilder::call_helper(int32_t helper_id) {
  insns_.push_back(make(BPF_JMP | BPF_CALL, 0, 0, 0, helper_id));
}

void InsnBuilder::call_local(Label target) {
  fixups_.push_back({insns_.size(), target.id, FixupKind::call});
  insns_.push_back(make(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, 0));
}

void InsnBuilder::raw_branch(const bpf_insn &insn, Label target) {
  const bool in_imm = insn.code == (BPF_JMP | BPF_CALL) || insn.code == (BPF_JMP32 | BPF_JA) ||
                      insn.code == (BPF_LD | BPF_DW | BPF_IMM);
  fixups_.push_back({insns_.size(), target.id, in_imm ? FixupKind::call : FixupKind::jump});
  insns_.push_back(insn);
}

void InsnBuilder::exit_insn() {
  insns_.push_back(make(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
}

Result<size_t> InsnBuilder::label_pos(Label label) const {
  if (label.id < 0 || label.id >= static_cast<int>(label_pos_.size()) || label_pos_[label.id] < 0)
    return Error(ErrorKind::invalid_argument,
                 "label " + std::to_string(label.id) + " is not bound");
  return static_cast<size_t>(label_pos_[label.id]);
}

Result<std::vector<bpf_insn>> InsnBuilder::assemble() const {
  std::vector<bpf_insn> out = insns_;
  for (const Fixup &fixup : fixups_) {
    auto target = label_pos(Label{fixup.label});
    if (!target) return std::move(target).error().wrap("assemble");
    long delta = static_cast<long>(*target) - static_cast<long>(fixup.insn) - 1;
    if (fixup.kind == FixupKind::call) {
      out[fixup.insn].imm = static_cast<int32_t>(delta);
      continue;
    }
    if (delta < std::numeric_limits<int16_t>::min() || delta > std::numeric_limits<int16_t>::max())
      return Error(ErrorKind::invalid_argument,
                   "assemble: jump at " + std::to_string(fixup.insn) + " is out of range");
    out[fixup.insn].off = static_cast<int16_t>(delta);
  }
  return out;
}

} // namespace xdpchain::bpf
