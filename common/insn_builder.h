// Typed BPF instruction builder with labels, shared by the dispatcher generator and the
// compiler. Jumps and local calls name a Label; offsets are resolved once, in assemble().
#pragma once

#include "common/fd.h"
#include "common/result.h"

#include <linux/bpf.h>

#include <cstdint>
#include <vector>

namespace xdpchain::bpf {

enum Reg : uint8_t { R0, R1, R2, R3, R4, R5, R6, R7, R8, R9, R10 };

struct Label {
  int id = -1;
};

class InsnBuilder {
public:
  Label new_label();
  // Places `label` at the next instruction emitted.
  void bind(Label label);
  // Index of the next instruction.
  size_t pos() const { return insns_.size(); }

  // ALU. `op` is a kernel opcode such as BPF_ADD, BPF_AND, BPF_LSH.
  void mov64_imm(Reg dst, int32_t imm) { alu(BPF_ALU64, BPF_MOV, BPF_K, dst, R0, imm); }
  void mov64_reg(Reg dst, Reg src) { alu(BPF_ALU64, BPF_MOV, BPF_X, dst, src, 0); }
  void mov32_imm(Reg dst, int32_t imm) { alu(BPF_ALU, BPF_MOV, BPF_K, dst, R0, imm); }
  void mov32_reg(Reg dst, Reg src) { alu(BPF_ALU, BPF_MOV, BPF_X, dst, src, 0); }
  void alu64_imm(uint8_t op, Reg dst, int32_t imm) { alu(BPF_ALU64, op, BPF_K, dst, R0, imm); }
  void alu64_reg(uint8_t op, Reg dst, Reg src) { alu(BPF_ALU64, op, BPF_X, dst, src, 0); }
  void alu32_imm(uint8_t op, Reg dst, int32_t imm) { alu(BPF_ALU, op, BPF_K, dst, R0, imm); }
  void alu32_reg(uint8_t op, Reg dst, Reg src) { alu(BPF_ALU, op, BPF_X, dst, src, 0); }
  // Byte swap: `to_be` selects BPF_TO_BE (htons/htonl on little-endian), width 16/32/64.
  void endian(Reg dst, bool to_be, int32_t width);

  // 64-bit immediates (two instruction slots).
  void ld_imm64(Reg dst, uint64_t imm);
  void ld_map_fd(Reg dst, MapRef map);
  void ld_map_value(Reg dst, MapRef map, uint32_t offset);

  // Memory. `size` is BPF_B, BPF_H, BPF_W or BPF_DW.
  void ldx(uint8_t size, Reg dst, Reg src, int16_t off);
  void stx(uint8_t size, Reg dst, int16_t off, Reg src);
  void st_imm(uint8_t size, Reg dst, int16_t off, int32_t imm);
  void atomic_add(uint8_t size, Reg dst, int16_t off, Reg src);

  // Control flow. `op` is BPF_JEQ, BPF_JGT, ... ; jmp32 compares the low 32 bits.
  void jmp_imm(uint8_t op, Reg dst, int32_t imm, Label target);
  void jmp_reg(uint8_t op, Reg dst, Reg src, Label target);
  void jmp32_imm(uint8_t op, Reg dst, int32_t imm, Label target);
  void ja(Label target);
  void call_helper(int32_t helper_id);
  // BPF-to-BPF call to the subprogram that starts at `target`.
  void call_local(Label target);
  void exit_insn();

  // Appends instructions as they are (e.g. an already relocated program).
  void raw(const bpf_insn &insn) { insns_.push_back(insn); }
  void raw(const std::vector<bpf_insn> &insns) {
    insns_.insert(insns_.end(), insns.begin(), insns.end());
  }

  // Appends a copied branch (jump, gotol, BPF-to-BPF call or ld_imm64 of a function address)
  // whose target becomes `target`: the offset field the instruction uses is rewritten.
  void raw_branch(const bpf_insn &insn, Label target);

  // Resolves every label reference. Fails if a label was used but never bound, or an
  // offset does not fit.
  Result<std::vector<bpf_insn>> assemble() const;
  // Instruction index a bound label points at (after assemble-time checks, valid anytime).
  Result<size_t> label_pos(Label label) const;

private:
  enum class FixupKind { jump, call }; // call: the offset is in imm
  struct Fixup {
    size_t insn;
    int label;
    FixupKind kind;
  };

  void alu(uint8_t cls, uint8_t op, uint8_t src_kind, Reg dst, Reg src, int32_t imm);
  void jump(uint8_t cls, uint8_t op, uint8_t src_kind, Reg dst, Reg src, int32_t imm, Label t);

  std::vector<bpf_insn> insns_;
  std::vector<long> label_pos_; // -1 while unbound
  std::vector<Fixup> fixups_;
};

} // namespace xdpchain::bpf
