// Generates the fused backend's program: one XDP program holding every member's main
// function inline, in chain order, followed by the members' subprograms. The generated
// code keeps ctx and the counters pointer in its own stack slots (the top kFusedSlotBytes
// below r10); members' stack accesses are moved below them (inline_member.h).
#pragma once

#include "common/result.h"
#include "dispatcher/dispatcher_spec.h"

#include <string>
#include <vector>

namespace xdpchain::dispatcher {

inline constexpr int16_t kFusedSlotBytes = 16; // ctx at r10-8, counters pointer at r10-16
// With the fast path (FusedSpec::optimise), the checked packet start is kept at r10-24.
inline constexpr int16_t kFusedFastSlotBytes = 24;
// The program's name says whether the optimiser ran (`status` reads it back).
inline constexpr const char *kFusedOptimisedName = "xdpc_fused_opt";
inline constexpr const char *kFusedPlainName = "xdpc_fused";
// The most packet bytes the fast path checks for: a minimum Ethernet frame (60 bytes
// without its FCS), so every well-formed frame takes it.
inline constexpr uint32_t kFusedFastPathMaxBytes = 60;

struct FusedMemberSpec {
  SlotSpec slot;
  std::string label;           // for error messages
  std::vector<bpf_insn> insns; // final instructions (relocated, map fds, subprograms appended)
};

struct FusedSpec {
  std::vector<FusedMemberSpec> members; // in run order
  MapRef counters_map;                  // invalid: no counters
  CounterLayout layout = counter_layout(Backend::fused);
  bool frags = false;
  // Adds the fast path (dispatcher/fused_opt/, docs/backends.md): when the packet holds the
  // bytes the members' constant bounds checks ask for, a copy of the chain runs in which
  // the members before any packet-changing code skip those checks.
  bool optimise = true;
};

// Where each member's instructions ended up, to name the member a verifier error is in.
struct FusedRange {
  size_t begin = 0, end = 0; // [begin, end) instruction indexes
  size_t member = 0;         // index in FusedSpec::members
};

struct FusedImage {
  ProgramImage image;
  std::vector<FusedRange> ranges;
  uint32_t stack_bytes = 0; // ours + the deepest member's main function
  // The fast path, when there is one: the packet bytes it checks for, and what it saved.
  uint32_t fast_path_bytes = 0;
  size_t checks_removed = 0;
  size_t data_loads_reused = 0;
  size_t jumps_threaded = 0; // fused_opt/known_verdict.h
};

Result<FusedImage> generate_fused(const FusedSpec &spec);

// The member a verifier log stopped in: the last "N: (" instruction line of `log`, looked up
// in `ranges`. -1 when the log names no instruction inside a member.
long member_at_verifier_stop(const std::string &log, const std::vector<FusedRange> &ranges);

} // namespace xdpchain::dispatcher
