#include "dispatcher/fused_opt/insn_edit.h"

#include "dispatcher/bpf_functions.h"

namespace xdpchain::dispatcher::fused_opt {

namespace {

bool is_jump_class(const bpf_insn &insn) {
  return BPF_CLASS(insn.code) == BPF_JMP || BPF_CLASS(insn.code) == BPF_JMP32;
}

bool is_gotol(const bpf_insn &insn) {
  return insn.code == (BPF_JMP32 | BPF_JA);
}

} // namespace

std::optional<size_t> jump_target(const std::vector<bpf_insn> &insns, size_t i) {
  const bpf_insn &insn = insns[i];
  if (!is_jump_class(insn)) return std::nullopt;
  const uint8_t op = BPF_OP(insn.code);
  if (op == BPF_CALL || op == BPF_EXIT) return std::nullopt;
  const long target = static_cast<long>(i) + 1 + (is_gotol(insn) ? insn.imm : insn.off);
  if (target < 0) return std::nullopt;
  return static_cast<size_t>(target);
}

std::vector<bpf_insn> remove_insns(const std::vector<bpf_insn> &insns,
                                   const std::vector<bool> &keep, std::vector<size_t> *old_to_new) {
  std::vector<size_t> map(insns.size() + 1);
  size_t kept = 0;
  for (size_t i = 0; i < insns.size(); ++i) {
    map[i] = kept;
    const bool second_slot = i > 0 && is_ld_imm64(insns[i - 1]) && keep[i - 1];
    if (keep[i] || second_slot) ++kept;
  }
  map[insns.size()] = kept;
  std::vector<bpf_insn> out;
  out.reserve(kept);
  for (size_t i = 0; i < insns.size(); ++i) {
    if (map[i + 1] == map[i]) continue; // removed
    bpf_insn insn = insns[i];
    const long here = static_cast<long>(map[i]);
    if (auto target = function_target(insns, i)) {
      insn.imm = static_cast<int32_t>(static_cast<long>(map[*target]) - here - 1);
    } else if (auto target = jump_target(insns, i)) {
      const long off = static_cast<long>(map[*target]) - here - 1;
      if (is_gotol(insn))
        insn.imm = static_cast<int32_t>(off);
      else
        insn.off = static_cast<int16_t>(off);
    }
    out.push_back(insn);
    if (is_ld_imm64(insns[i]) && i + 1 < insns.size()) out.push_back(insns[++i]);
  }
  if (old_to_new) *old_to_new = std::move(map);
  return out;
}

std::vector<bool> reachable(const std::vector<bpf_insn> &insns) {
  std::vector<bool> seen(insns.size(), false);
  std::vector<size_t> work;
  for (uint32_t start : function_starts(insns))
    work.push_back(start);
  while (!work.empty()) {
    const size_t i = work.back();
    work.pop_back();
    if (i >= insns.size() || seen[i]) continue;
    seen[i] = true;
    const bpf_insn &insn = insns[i];
    if (is_ld_imm64(insn)) {
      if (i + 1 < insns.size()) seen[i + 1] = true;
      work.push_back(i + 2);
      continue;
    }
    if (insn.code == (BPF_JMP | BPF_EXIT)) continue;
    auto target = jump_target(insns, i);
    if (target) work.push_back(*target);
    const bool unconditional = BPF_OP(insn.code) == BPF_JA && is_jump_class(insn);
    if (!unconditional) work.push_back(i + 1);
  }
  return seen;
}

} // namespace xdpchain::dispatcher::fused_opt
