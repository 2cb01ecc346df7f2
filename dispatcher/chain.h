// The live chain on one interface: read it back from the kernel and bpffs, or make it match
// a ChainSpec with one atomic swap. add, remove and manifest apply all go through apply().
#pragma once

#include "common/result.h"
#include "dispatcher/chain_spec.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace xdpchain::dispatcher {

struct ChainOptions {
  // Root of our bpffs state; one directory per (network namespace, interface) below it.
  std::string bpffs_root = "/sys/fs/bpf/xdpchain";
  // Replace a program another tool attached (libxdp dispatcher or plain XDP program).
  bool replace_foreign = false;
  // Show the whole verifier log in errors, not only its tail.
  bool verbose = false;
  // How long a writer waits for another command's lock on the interface before giving up
  // with a conflict naming the holder's pid.
  std::chrono::milliseconds lock_wait{30000};
};

// Per-member packet counters, summed over CPUs, since the member joined the chain.
struct Counters {
  uint64_t entered = 0;
  uint64_t verdicts[5] = {}; // indexed by XDP action
  uint64_t other = 0;        // verdicts outside 0..4
};

struct MemberStatus {
  std::string label;
  std::string object_path;
  std::string program;
  uint64_t object_hash = 0; // content hash of the object file when it was loaded
  int priority = 0;
  ActionMask proceed_on = 0;
  uint32_t prog_id = 0;       // the member's own program (EXT program, or the loaded XDP program)
  uint32_t entry_prog_id = 0; // tailcall backend: the generated entry program in the prog array
  uint32_t link_id = 0;       // freplace backend: the link to the dispatcher stub
  bool attached = false;      // the kernel confirms the member is wired into the chain
  Counters counters;
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
  std::vector<MemberDelta> deltas;
  ChainStatus status; // after the apply
};

struct ApplyOptions {
  bool dry_run = false; // compute deltas only, touch nothing
};

Result<ChainStatus> read_status(const std::string &interface, const ChainOptions &options);

// The current chain as a spec (labels, objects, priorities, proceed sets, mode, backend),
// such that apply(current_spec(...)) changes nothing. Error not_found when no chain.
Result<ChainSpec> current_spec(const std::string &interface, const ChainOptions &options);

// Makes the interface run `desired`. Members unchanged (same label, object content, program,
// priority, proceed set) keep their program ids, maps and counters. Either the whole new
// chain is swapped in atomically, or nothing changes and the error says which member failed
// and why. An empty member list detaches the chain.
Result<ApplyReport> apply(const ChainSpec &desired, const ChainOptions &options,
                          const ApplyOptions &apply_options = {});

// Under the interface's writer lock: reads the current chain (a spec with only `interface`
// set when there is none), lets `change` produce the desired chain, and applies it. `add`
// and `remove` go through here so that concurrent commands on one interface serialise.
using ChainChange = std::function<Result<ChainSpec>(const ChainSpec &current, bool present)>;
Result<ApplyReport> change(const std::string &interface, const ChainChange &change,
                           const ChainOptions &options, const ApplyOptions &apply_options = {});

} // namespace xdpchain::dispatcher
