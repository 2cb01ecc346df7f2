// Pass "known verdict": a jump taken while r0 holds a known constant, whose target is a
// `ja` or a test of r0 against a constant (`if r0 == K` / `if w0 == K`, as the fused
// program's verdict handling starts), goes straight to where those would lead. Members'
// exits become `ja verdict` in the fused program and their verdict is often set just
// before a conditional jump to the exit, so the pass path skips the jump and the continue
// check. What it proves first: r0's value at the jump, traced along straight-line code from
// `r0 = imm` (64- or 32-bit) with no jump target, call or other write of r0 in between.
// Code no longer reached is removed; `old_to_new` maps indexes as remove_insns does.
// Pure: no syscalls.
#pragma once

#include <linux/bpf.h>

#include <cstddef>
#include <vector>

namespace xdpchain::dispatcher::fused_opt {

struct ThreadedJumps {
  std::vector<bpf_insn> insns;
  size_t retargeted = 0;
  std::vector<size_t> old_to_new;
};

ThreadedJumps thread_known_verdicts(const std::vector<bpf_insn> &insns);

} // namespace xdpchain::dispatcher::fused_opt
