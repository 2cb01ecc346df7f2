// Instruction sequences both backends share: the counter lookup, the per-slot counter
// increments, and the continue check that decides whether a verdict passes the packet on.
#pragma once

#include "common/insn_builder.h"
#include "dispatcher/dispatcher_spec.h"

namespace xdpchain::dispatcher {

// r6 = ctx (saved from r1), r7 = pointer to this CPU's counter blocks or 0.
void emit_prologue(bpf::InsnBuilder &b, MapRef counters_map);
// Counts a packet entering the slot whose block is `counter_index` (r7 may be 0).
void emit_count_entry(bpf::InsnBuilder &b, uint32_t counter_index);
// Counts the verdict in r0 for block `counter_index`; keeps r0.
void emit_count_verdict(bpf::InsnBuilder &b, uint32_t counter_index);
// Jumps to `proceed` when r0 is in `mask`, else returns r0 as the chain's verdict. Returns
// false for an empty mask: nothing then reaches `proceed`, and the caller must leave out
// the code there (the verifier refuses unreachable instructions).
[[nodiscard]] bool emit_continue_check(bpf::InsnBuilder &b, ActionMask mask, bpf::Label proceed);
// Returns XDP_PASS: the chain ran off its end.
void emit_return_pass(bpf::InsnBuilder &b);

} // namespace xdpchain::dispatcher
