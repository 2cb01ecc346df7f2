// Where a BPF program's functions start, read from its instructions the way the kernel's
// add_subprog() reads them. Shared by the generators that re-host members' code.
#pragma once

#include <linux/bpf.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <vector>

namespace xdpchain::dispatcher {

bool is_ld_imm64(const bpf_insn &insn);
bool is_pseudo_call(const bpf_insn &insn);
// Where the BPF-to-BPF call (BPF_PSEUDO_CALL) or the subprogram address (ld_imm64
// BPF_PSEUDO_FUNC) at `i` points; nullopt for any other instruction.
std::optional<size_t> function_target(const std::vector<bpf_insn> &insns, size_t i);
// Instruction 0 and every function_target: where the kernel sees a function start.
std::set<uint32_t> function_starts(const std::vector<bpf_insn> &insns);

} // namespace xdpchain::dispatcher
