// Editing a program's instructions in place of the assembler: removing instructions while
// every jump, BPF-to-BPF call and subprogram address keeps pointing at the same instruction
// (or, when that one goes, at the next one kept), and finding what control flow can reach.
// Pure: no syscalls. Used by the fused optimiser's passes.
#pragma once

#include <linux/bpf.h>

#include <cstddef>
#include <optional>
#include <vector>

namespace xdpchain::dispatcher::fused_opt {

// Where the jump at `i` goes (conditional, `ja`, `gotol`); nullopt for anything else.
std::optional<size_t> jump_target(const std::vector<bpf_insn> &insns, size_t i);

// Removes every instruction whose `keep` entry is false (a kept ld_imm64 keeps its second
// slot). Offsets are recomputed; `old_to_new`, when given, receives for every old index
// (and one past the end) the new index of it or of the next instruction kept.
std::vector<bpf_insn> remove_insns(const std::vector<bpf_insn> &insns,
                                   const std::vector<bool> &keep,
                                   std::vector<size_t> *old_to_new = nullptr);

// Instructions control flow can reach from instruction 0 and from every function start.
std::vector<bool> reachable(const std::vector<bpf_insn> &insns);

} // namespace xdpchain::dispatcher::fused_opt
