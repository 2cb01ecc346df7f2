// Public API (docs/library.md). apply_all(): makes every target's interface run its chain as
// one transaction across interfaces. First every target is planned with all the checks a
// real apply makes (another tool's program, member limits, mode, objects); any refusal
// stops before the first change. Then each interface gets its new chain in one atomic swap;
// when one fails in the kernel, the interfaces changed before it are put back on their exact
// previous chains (the same programs, ids and counters), except where the apply removed a
// chain or another writer freed the kept generation meanwhile: that chain is rebuilt from
// its previous spec, with new ids. A dry run is the planning step only.
#pragma once

#include <xdpchain/error.h>
#include <xdpchain/status.h>
#include <xdpchain/target.h>

#include <cstddef>
#include <optional>
#include <vector>

namespace xdpchain {

struct ApplyAllOptions {
  ChainOptions chain;   // replace_foreign here applies to every target (spec.force: one)
  bool dry_run = false; // plan every target, change nothing
};

// One interface the transaction put back after a later one failed.
struct RestoredTarget {
  size_t target = 0;          // index into the targets given to apply_all
  std::optional<Error> error; // set when putting the previous chain back failed
};

struct ApplyAllResult {
  // One per target that was planned (dry run) or applied, in the targets' order. On
  // failure: the targets before the failed one (since undone, unless a restore failed).
  std::vector<ApplyReport> reports;
  // The first failure; when set, no interface keeps a change (see restored).
  std::optional<Error> error;
  size_t failed_target = 0;             // index of the target that failed (when error is set)
  bool changed_nothing = true;          // the failure came before any interface was touched
  std::vector<RestoredTarget> restored; // newest first
  bool ok() const { return !error.has_value(); }
};

// Targets need a concrete interface (spec.interface); the calling thread enters each
// target's network namespace (target.netns) for the length of its step.
XDPCHAIN_API ApplyAllResult apply_all(const std::vector<ChainTarget> &targets,
                                      const ApplyAllOptions &options = {});

} // namespace xdpchain
