// Blueprints of the generated programs (plain data) and what building them yields. The
// generators (freplace_generator.h, tailcall_generator.h) are pure: no syscalls.
#pragma once

#include "common/fd.h"
#include "dispatcher/chain_spec.h"

#include <linux/bpf.h>

#include <cstdint>
#include <string>
#include <vector>

namespace xdpchain::dispatcher {

struct SlotSpec {
  ActionMask proceed_on = kDefaultProceedOn;
  uint32_t counter_index = 0; // which member counter block this slot increments
};

struct DispatcherSpec {
  std::vector<SlotSpec> slots;
  bool frags = false;
  MapRef counters_map; // per-CPU array, one entry of kCounterBlocks blocks
};

// A program ready for BPF_PROG_LOAD.
struct ProgramImage {
  std::string name; // kernel program name (at most 15 characters)
  std::vector<bpf_insn> insns;
  std::vector<uint8_t> btf;             // empty: load without BTF
  std::vector<bpf_func_info> func_info; // type ids refer to `btf`
  bool frags = false;
};

// Counter layout: one per-CPU array entry holding kCounterBlocks blocks of 8 u64 each:
// [0] entries (see CounterLayout), [1 + action] verdicts XDP_ABORTED..XDP_REDIRECT,
// [6] any other verdict, [7] unused.
inline constexpr uint32_t kCounterBlocks = 128;
inline constexpr uint32_t kCounterBlockBytes = 64;
inline constexpr uint32_t kCountersValueSize = kCounterBlocks * kCounterBlockBytes;

// How a chain's generated code fills a member's block; readers decode with the same layout
// (counters.h), so `status` shows the same counts on every backend.
enum class CounterLayout {
  // Word 0 counts every entry, before the member runs; then its verdict is counted.
  entered_then_verdict,
  // One increment per member: its verdict. A member that returns gives exactly one verdict,
  // so entered = the verdict words' sum + word 0, where word 0 counts only entries that
  // gave no verdict to the chain (a member's own tail call leaving a fused chain): members
  // that make tail calls add 1 there on entry and take it back with their verdict.
  verdict_carries_entry,
};

// The one place that decides which layout a backend's generated code writes.
constexpr CounterLayout counter_layout(Backend backend) {
  return backend == Backend::fused ? CounterLayout::verdict_carries_entry
                                   : CounterLayout::entered_then_verdict;
}

// Names of the global functions in the freplace dispatcher.
std::string slot_function_name(size_t slot);
inline constexpr const char *kDispatcherMainName = "xdpchain_dispatcher";

} // namespace xdpchain::dispatcher
