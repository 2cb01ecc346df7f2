// Generates the tail-call backend's programs. The root (attached to the interface)
// tail-calls prog-array slot 0. Each member's entry program calls the member's unmodified
// code as a BPF-to-BPF subprogram, counts, applies the member's continue set and tail-calls
// the next slot; off the end the verdict is XDP_PASS.
#pragma once

#include "common/result.h"
#include "dispatcher/dispatcher_spec.h"

namespace xdpchain::dispatcher {

struct TailcallRootSpec {
  MapRef prog_array;
  bool frags = false;
};

struct TailcallEntrySpec {
  SlotSpec slot;
  uint32_t position = 0; // index in the prog array
  bool last = false;     // no tail call after this member
  MapRef prog_array;
  MapRef counters_map;
  bool frags = false;
  // The member's final instructions (relocated, map fds embedded, subprograms appended).
  std::vector<bpf_insn> member_insns;
};

Result<ProgramImage> generate_tailcall_root(const TailcallRootSpec &spec);
Result<ProgramImage> generate_tailcall_entry(const TailcallEntrySpec &spec);

} // namespace xdpchain::dispatcher
