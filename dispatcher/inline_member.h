// Pure instruction rewriting for the fused backend: turns a member's final (relocated)
// instructions into code that runs inline inside a larger program. The member's main
// function is copied with its `exit`s turned into jumps to the caller's verdict label and
// its stack accesses moved down by the generated code's own slots; its BPF-to-BPF
// subprograms are appended later, unchanged except for call offsets. No syscalls here.
#pragma once

#include "common/insn_builder.h"
#include "common/result.h"

#include <linux/bpf.h>

#include <cstdint>
#include <vector>

namespace xdpchain::dispatcher {

inline constexpr int kMaxStackBytes = 512; // MAX_BPF_STACK

struct MemberShape {
  size_t main_end = 0;     // main function = [0, main_end); subprograms follow
  uint32_t main_stack = 0; // deepest byte below r10 the main function reaches (see .cpp)
  bool tail_calls = false; // calls bpf_tail_call (anywhere): may leave without a verdict
};

// Finds the main function's end and its stack depth; refuses code the fused backend cannot
// rewrite (r10 used other than as a load/store base or copied by `rX = r10`, jumps that
// cross between the main function and the subprograms).
Result<MemberShape> analyse_member(const std::vector<bpf_insn> &insns);

// The part of an inlined member still to be emitted after the chain: its subprograms, with
// labels for the places the main function calls (or takes the address of).
struct PendingSubprogs {
  std::vector<bpf_insn> insns;
  std::vector<std::pair<size_t, bpf::Label>> entries; // index in `insns` -> label
};

// Emits the member's main function into `b`: every `exit` jumps to `verdict` (r0 holds
// the verdict), every r10-based access is moved `shift` bytes down, every `rX = r10` is
// followed by `rX += -shift`, and calls into subprograms name labels in the result.
Result<PendingSubprogs> emit_inlined_main(bpf::InsnBuilder &b, const std::vector<bpf_insn> &insns,
                                          const MemberShape &shape, int16_t shift,
                                          bpf::Label verdict);
// Appends the subprograms and binds their entry labels.
void emit_subprogs(bpf::InsnBuilder &b, const PendingSubprogs &subprogs);

} // namespace xdpchain::dispatcher
