#include "dispatcher/fused_opt/known_verdict.h"

#include "dispatcher/bpf_functions.h"
#include "dispatcher/fused_opt/insn_edit.h"

#include <cstdint>

namespace xdpchain::dispatcher::fused_opt {

namespace {

bool is_ja(const bpf_insn &insn) {
  return insn.code == (BPF_JMP | BPF_JA);
}

// Where control goes from `target` on when r0 == value; stops at anything else.
size_t follow(const std::vector<bpf_insn> &insns, size_t target, uint64_t value) {
  for (int steps = 0; steps < 64 && target < insns.size(); ++steps) {
    const bpf_insn &insn = insns[target];
    if (is_ja(insn)) {
      target = *jump_target(insns, target);
      continue;
    }
    const bool jeq64 = insn.code == (BPF_JMP | BPF_JEQ | BPF_K);
    const bool jeq32 = insn.code == (BPF_JMP32 | BPF_JEQ | BPF_K);
    if ((!jeq64 && !jeq32) || insn.dst_reg != BPF_REG_0) break;
    const bool equal = jeq64 ? value == static_cast<uint64_t>(static_cast<int64_t>(insn.imm))
                             : static_cast<uint32_t>(value) == static_cast<uint32_t>(insn.imm);
    target = equal ? *jump_target(insns, target) : target + 1;
  }
  return target;
}

// Whether `insn` may write r0 (any way but the `r0 = imm` the caller handles).
bool writes_r0(const bpf_insn &insn) {
  const uint8_t cls = BPF_CLASS(insn.code);
  if (cls == BPF_ALU || cls == BPF_ALU64 || cls == BPF_LDX || cls == BPF_LD)
    return insn.dst_reg == BPF_REG_0;
  if (cls == BPF_STX && BPF_MODE(insn.code) == BPF_ATOMIC)
    return insn.imm == BPF_CMPXCHG || ((insn.imm & BPF_FETCH) && insn.src_reg == BPF_REG_0);
  if (cls == BPF_JMP || cls == BPF_JMP32) return BPF_OP(insn.code) == BPF_CALL;
  return false;
}

} // namespace

ThreadedJumps thread_known_verdicts(const std::vector<bpf_insn> &insns) {
  ThreadedJumps out;
  std::vector<bpf_insn> code = insns;
  std::vector<bool> is_target(code.size() + 1, false);
  for (size_t i = 0; i < code.size(); ++i) {
    if (auto target = function_target(code, i); target && *target < is_target.size())
      is_target[*target] = true;
    if (auto target = jump_target(code, i); target && *target < is_target.size())
      is_target[*target] = true;
    if (is_ld_imm64(code[i])) ++i;
  }
  bool known = false; // r0 holds `value`
  uint64_t value = 0;
  for (size_t i = 0; i < code.size(); ++i) {
    if (is_target[i]) known = false;
    bpf_insn &insn = code[i];
    if (is_ld_imm64(insn)) {
      if (insn.dst_reg == BPF_REG_0) known = false;
      ++i;
      continue;
    }
    if (insn.code == (BPF_ALU64 | BPF_MOV | BPF_K) && insn.dst_reg == BPF_REG_0) {
      known = true, value = static_cast<uint64_t>(static_cast<int64_t>(insn.imm));
      continue;
    }
    if (insn.code == (BPF_ALU | BPF_MOV | BPF_K) && insn.dst_reg == BPF_REG_0) {
      known = true, value = static_cast<uint32_t>(insn.imm);
      continue;
    }
    if (known && insn.code != (BPF_JMP32 | BPF_JA)) {
      if (auto target = jump_target(code, i)) {
        const size_t to = follow(code, *target, value);
        const long off = static_cast<long>(to) - static_cast<long>(i) - 1;
        if (to != *target && off >= INT16_MIN && off <= INT16_MAX) {
          insn.off = static_cast<int16_t>(off);
          ++out.retargeted;
        }
      }
    }
    if (writes_r0(insn) || insn.code == (BPF_JMP | BPF_EXIT) || is_ja(insn)) known = false;
  }
  std::vector<size_t> first_map;
  std::vector<bpf_insn> live = remove_insns(code, reachable(code), &first_map);
  out.insns = std::move(live);
  out.old_to_new = std::move(first_map);
  return out;
}

} // namespace xdpchain::dispatcher::fused_opt
