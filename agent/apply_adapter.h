// The agent's one door to "make an interface run a manifest's chain". Everything the agent
// applies, removes or reads goes through here, so that moving to the public library's
// planner (apply_all) later changes this file only.
#pragma once

#include "common/result.h"
#include "dispatcher/chain.h"
#include "manifests/convert.h"
#include "manifests/diagnostic.h"

#include <string>
#include <vector>

namespace xdpchain::agent {

using manifests::ChainTarget;

// A manifest file read for the agent: like `xdpchain apply` reads it, except that an
// interface or network namespace that does not exist yet is not an error (the agent gives
// the chain to the interface when it appears).
struct LoadedFile {
  std::vector<ChainTarget> targets;
  std::vector<manifests::Diagnostic> diagnostics; // empty = ready to apply
  bool ok() const { return diagnostics.empty(); }
};
LoadedFile load_file(const std::string &path);

// Makes the target's interface (in its network namespace) run the target's chain, under the
// interface's writer lock, exactly as `xdpchain apply` does for one document.
Result<dispatcher::ApplyReport> apply_target(const ChainTarget &target,
                                             const dispatcher::ChainOptions &options);

// Takes the chain off the target's interface (every member removed, link detached).
Result<dispatcher::ApplyReport> remove_target(const ChainTarget &target,
                                              const dispatcher::ChainOptions &options);

// The chain running on the target's interface now.
Result<dispatcher::ChainStatus> target_status(const ChainTarget &target,
                                              const dispatcher::ChainOptions &options);

// Whether the target's interface exists now (in its network namespace).
bool interface_present(const ChainTarget &target);

// "chain 'edge' on interface 'eth0' in network namespace 'ns1'", for log lines.
std::string describe(const ChainTarget &target);

} // namespace xdpchain::agent
