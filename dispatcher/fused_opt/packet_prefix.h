// Pass "packet prefix": runs a member on the fused program's fast path, where the program
// has already checked that the packet's first `bytes` bytes are present and keeps that
// checked pointer to the packet's start in a stack slot. In the member's main function
// (its own coordinates, before inlining):
//
// - every load of ctx->data from a register known to hold ctx (r1 at entry, and copies of
//   it, tracked along straight-line code) becomes a load of the checked pointer from the
//   slot `data_slot` below r10 (the verifier keeps a spilled packet pointer's proven range);
// - a bounds check `if data + c > data_end goto L` (or `data_end < data + c`; with `>=` /
//   `<=` when c + 1 <= bytes) whose operands are that pointer plus a constant and
//   ctx->data_end, tracked the same way, is removed when c <= bytes: on the fast path it
//   can never be taken;
// - instructions no longer reachable are removed.
//
// The caller must apply it only to members that run before any code that may change the
// packet (packet_helpers.h) and must not write the slot in between. Pure: no syscalls.
#pragma once

#include <linux/bpf.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace xdpchain::dispatcher::fused_opt {

// The largest prefix any constant bounds check of the main function [0, main_end) asks
// for (c for `>`, c + 1 for `>=`), or 0 when it has none.
uint32_t wanted_prefix(const std::vector<bpf_insn> &insns, size_t main_end);

struct PrefixRewrite {
  std::vector<bpf_insn> insns;
  size_t data_loads = 0;     // ctx->data loads now reading the slot
  size_t checks_removed = 0; // bounds checks removed
};

PrefixRewrite assume_packet_prefix(const std::vector<bpf_insn> &insns, size_t main_end,
                                   uint32_t bytes, int16_t data_slot);

} // namespace xdpchain::dispatcher::fused_opt
