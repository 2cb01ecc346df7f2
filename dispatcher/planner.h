// The chain planner: from the current chain and the desired spec, every decision of an
// apply (backend, members kept or loaded, run order, counter blocks and baselines, deltas)
// and every refusal (another tool's program, a mode change, member limits, labels,
// priorities, counters), without touching the kernel: what it needs to know comes through
// a ChainView, which unit tests fake. A dry run is a plan and nothing else.
#pragma once

#include "common/result.h"
#include "dispatcher/chain.h"
#include "dispatcher/chain_state.h"
#include "dispatcher/dispatcher_spec.h"
#include "dispatcher/generation.h"
#include "dispatcher/xdp_attach.h"
#include "ext/program_object.h"

#include <cstddef>
#include <string>
#include <vector>

namespace xdpchain::dispatcher {

// What the planner reads from a member's object (opened, nothing loaded).
struct ObjectFacts {
  std::string program; // the chosen program's name
  uint64_t hash = 0;   // content hash
  bool frags = false;
  ext::RunConfig run;
};

// The planner's window on the kernel and the file system.
class ChainView {
public:
  virtual ~ChainView() = default;
  // Opens desired.members[index]'s object. An Error with errno ENOENT when the file is gone.
  virtual Result<ObjectFacts> open_object(const MemberSpec &member, size_t index) = 0;
  // The XDP program attached to the interface by someone else (prog_id 0: none).
  virtual Result<AttachedProgram> attached_program() = 0;
  // The backend `auto` picks for a new chain (freplace where the kernel allows it).
  virtual Backend preferred_backend() = 0;
  // The counters map's blocks now, decoded in `layout` (all zero when the interface has
  // none yet).
  virtual Result<std::vector<Counters>> counter_values(CounterLayout layout) = 0;
};

struct ChainPlan {
  Backend backend = Backend::freplace; // never automatic
  Mode mode = Mode::native;
  bool counting = true;
  bool frags = false;
  // In run order. reuse_slot >= 0: keep the current program; else load spec_index's object.
  std::vector<PlannedMember> members;
  std::vector<MemberDelta> deltas;
  bool detach = false;     // the desired chain is empty
  bool changes = true;     // false: the interface already runs this chain
  AttachedProgram foreign; // another tool's program to replace (replace_foreign)
};

Result<ChainPlan> plan_chain(const ChainSpec &desired, const CurrentChain &current,
                             const ChainOptions &options, ChainView &view);

} // namespace xdpchain::dispatcher
