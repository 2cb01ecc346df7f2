// Public API (docs/library.md). What a chain looks like when read back (ChainStatus, with
// each member's kernel ids and counters), what an apply changed or would change
// (ApplyReport), and the options every chain operation takes.
#pragma once

#include <xdpchain/result.h>
#include <xdpchain/spec.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace xdpchain {

struct ChainOptions {
  // Root of our bpffs state; one directory per (network namespace, interface) below it.
  std::string bpffs_root = "/sys/fs/bpf/xdpchain";
  // Replace a program another tool attached (libxdp dispatcher or plain XDP program).
  bool replace_foreign = false;
  // Show the whole verifier log in errors, not only its tail.
  bool verbose = false;
  // How long a writer waits for another command's lock on the interface before giving up
  // with a conflict naming the holder's pid. The wait is ended by the real-time signal
  // SIGRTMAX - 2 sent to the waiting thread: the library gives it a no-op handler, which
  // stays, unless the program has its own (then waits poll). See docs/library.md.
  std::chrono::milliseconds lock_wait{30000};
};

// Per-member packet counters, summed over CPUs, since the member joined the chain.
struct Counters {
  uint64_t entered = 0;
  uint64_t verdicts[5] = {}; // indexed by XDP action
  uint64_t other = 0;        // verdicts outside 0..4
};

// A map the member's program uses, as the kernel names it (at most 15 characters), and
// where it is pinned ("" when no pin the member asked for holds this very map).
struct MemberMap {
  std::string name;
  uint32_t id = 0;
  std::string pin;
};

// The member (label, object, priority, continue set...) and what the kernel says about it.
struct MemberStatus : ChainMember {
  uint32_t prog_id = 0;        // the member's own program (EXT program, or the loaded XDP program)
  uint32_t entry_prog_id = 0;  // tailcall backend: the generated entry program in the prog array
  uint32_t link_id = 0;        // freplace backend: the link to the dispatcher stub
  bool attached = false;       // the kernel confirms the member is wired into the chain
  Counters counters;           // all zero when the chain does not count (ChainStatus::counters)
  std::vector<MemberMap> maps; // the maps its program uses, by kernel id
};

struct ChainStatus {
  std::string interface;
  int ifindex = 0;
  bool present = false; // false: no xdpchain chain on this interface
  Mode mode = Mode::native;
  Backend backend = Backend::freplace; // the backend in use (never automatic)
  uint32_t dispatcher_prog_id = 0;
  uint32_t xdp_link_id = 0;
  uint32_t generation = 0;
  bool frags = false;
  bool counters = true;
  // Fused backend: "on" when the running program was built by the optimiser, otherwise
  // "off" and why; "" on the other backends.
  std::string fused_optimiser;
  std::vector<MemberStatus> members; // in run order
  // Something else on the interface: "" or a description ("libxdp dispatcher, prog id 42").
  std::string foreign_program;
};

// What apply() did, member by member.
enum class MemberChange { added, removed, reordered, changed, unchanged };
struct MemberDelta {
  std::string label;
  MemberChange change;
  std::string detail; // e.g. "priority 20 -> 5", "object changed"
};
struct ApplyReport {
  bool swapped = false; // false when the chain already matched
  // The dispatcher (or tail-call root) program the swap replaced; 0 when the interface had
  // no chain. While a transaction keeps it (apply_all), undoing puts it back.
  uint32_t previous_dispatcher_prog_id = 0;
  std::vector<MemberDelta> deltas;
  ChainStatus status; // after the apply
};

// The chain on `interface` in network namespace `netns` ("" = the caller's; a name under
// /run/netns or a path), read back from the kernel and bpffs: members, kernel ids, counters.
// present is false when xdpchain runs no chain there.
XDPCHAIN_API Result<ChainStatus> read_chain_status(const std::string &interface,
                                                   const std::string &netns = "",
                                                   const ChainOptions &options = {});

} // namespace xdpchain
