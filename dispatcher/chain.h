// The live chain on one interface: read it back from the kernel and bpffs, or make it match
// a ChainSpec with one atomic swap. add, remove and manifest apply all go through apply().
#pragma once

#include "common/result.h"
#include "dispatcher/chain_spec.h"

#include <xdpchain/status.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace xdpchain::dispatcher {

using xdpchain::ApplyReport;
using xdpchain::ChainOptions;
using xdpchain::ChainStatus;
using xdpchain::Counters;
using xdpchain::MemberChange;
using xdpchain::MemberDelta;
using xdpchain::MemberStatus;

struct ApplyOptions {
  bool dry_run = false; // compute deltas only, touch nothing
  // Keep the replaced generation pinned after the swap (report.previous_dispatcher_prog_id
  // names it), so that restore_previous() can put the exact previous chain back, same
  // program ids; release_previous() drops it. Used by the multi-interface transaction.
  bool keep_previous = false;
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

// Puts the interface back on the generation an apply with keep_previous replaced: the link
// runs dispatcher `previous_dispatcher_prog_id` again (same members, same program ids, same
// counters), and the newer generation is removed. 0 (there was no chain) takes the chain off.
Status restore_previous(const std::string &interface, uint32_t previous_dispatcher_prog_id,
                        const ChainOptions &options);

// Removes the generations the interface no longer runs (what keep_previous kept).
Status release_previous(const std::string &interface, const ChainOptions &options);

} // namespace xdpchain::dispatcher
