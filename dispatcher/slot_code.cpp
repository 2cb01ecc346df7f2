#include "dispatcher/slot_code.h"

namespace xdpchain::dispatcher {

using namespace bpf;

namespace {

int16_t block_offset(uint32_t counter_index) {
  return static_cast<int16_t>(counter_index * kCounterBlockBytes);
}

void emit_increment(InsnBuilder &b, Reg base, int16_t off) {
  b.ldx(BPF_DW, R1, base, off);
  b.alu64_imm(BPF_ADD, R1, 1);
  b.stx(BPF_DW, base, off, R1);
}

} // namespace

void emit_prologue(InsnBuilder &b, MapRef counters_map) {
  b.mov64_reg(R6, R1);
  b.st_imm(BPF_W, R10, -4, 0);
  b.mov64_reg(R2, R10);
  b.alu64_imm(BPF_ADD, R2, -4);
  b.ld_map_fd(R1, counters_map);
  b.call_helper(BPF_FUNC_map_lookup_elem);
  b.mov64_reg(R7, R0);
}

void emit_count_entry(InsnBuilder &b, uint32_t counter_index) {
  Label skip = b.new_label();
  b.jmp_imm(BPF_JEQ, R7, 0, skip);
  emit_increment(b, R7, block_offset(counter_index));
  b.bind(skip);
}

void emit_count_verdict(InsnBuilder &b, uint32_t counter_index) {
  Label skip = b.new_label();
  Label known = b.new_label();
  b.jmp_imm(BPF_JEQ, R7, 0, skip);
  b.mov32_reg(R2, R0);
  b.jmp32_imm(BPF_JLE, R2, XDP_REDIRECT, known);
  b.mov32_imm(R2, XDP_REDIRECT + 1); // "other"
  b.bind(known);
  b.alu64_imm(BPF_LSH, R2, 3);
  b.mov64_reg(R3, R7);
  b.alu64_reg(BPF_ADD, R3, R2);
  emit_increment(b, R3, static_cast<int16_t>(block_offset(counter_index) + 8));
  b.bind(skip);
}

bool emit_continue_check(InsnBuilder &b, ActionMask mask, Label proceed) {
  bool goes_on = false;
  for (int action = XDP_ABORTED; action <= XDP_REDIRECT; ++action) {
    if (!(mask & (1u << action))) continue;
    b.jmp32_imm(BPF_JEQ, R0, action, proceed);
    goes_on = true;
  }
  b.exit_insn();
  return goes_on;
}

void emit_return_pass(InsnBuilder &b) {
  b.mov64_imm(R0, XDP_PASS);
  b.exit_insn();
}

} // namespace xdpchain::dispatcher
