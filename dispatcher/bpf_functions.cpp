#include "dispatcher/bpf_functions.h"

namespace xdpchain::dispatcher {

bool is_ld_imm64(const bpf_insn &insn) {
  return insn.code == (BPF_LD | BPF_DW | BPF_IMM);
}

bool is_pseudo_call(const bpf_insn &insn) {
  return insn.code == (BPF_JMP | BPF_CALL) && insn.src_reg == BPF_PSEUDO_CALL;
}

std::optional<size_t> function_target(const std::vector<bpf_insn> &insns, size_t i) {
  const bpf_insn &insn = insns[i];
  if (is_pseudo_call(insn) || (is_ld_imm64(insn) && insn.src_reg == BPF_PSEUDO_FUNC))
    return static_cast<size_t>(static_cast<long>(i) + insn.imm + 1);
  return std::nullopt;
}

std::set<uint32_t> function_starts(const std::vector<bpf_insn> &insns) {
  std::set<uint32_t> starts = {0};
  for (size_t i = 0; i < insns.size(); ++i) {
    if (auto target = function_target(insns, i)) starts.insert(static_cast<uint32_t>(*target));
    if (is_ld_imm64(insns[i])) ++i;
  }
  return starts;
}

} // namespace xdpchain::dispatcher
