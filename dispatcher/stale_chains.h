// Chain state whose interface is gone. Deleting an interface, or the network namespace it
// lived in, detaches our XDP link (the kernel leaves it defunct) but not our pins: the
// interface's directory and the programs and maps pinned in it stay in memory until
// something removes them. `xdpchain prune` does, through here.
#pragma once

#include "common/result.h"

#include <string>
#include <vector>

namespace xdpchain::dispatcher {

struct StaleChain {
  std::string path;   // the interface directory, <root>/ns<inode>-if<ifindex>
  std::string reason; // why nothing runs it any more
};

// Every interface directory under `root` (all network namespaces) that no XDP link runs:
// its link is defunct (the interface went away) or missing (a first `add` was killed
// before it attached). Reads only, takes no lock: a writer may be midway, so prune checks
// again under the lock.
std::vector<StaleChain> find_stale_chains(const std::string &root);

// Removes the stale chains' directories, each under its writer lock after checking again
// that it is still stale; with `dry_run`, only lists them. Returns what was (or would be)
// removed.
Result<std::vector<StaleChain>> prune_stale_chains(const std::string &root, bool dry_run);

} // namespace xdpchain::dispatcher
