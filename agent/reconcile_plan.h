// The agent's decisions as a pure function (like the chain planner): given the chains the
// manifests want, what the agent last applied, and what the kernel shows now, which
// interfaces to apply, remove or forget. No kernel, no files: agent_unit_test drives it
// with made-up views. agent.cpp gathers the inputs and carries the steps out.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace xdpchain::agent {

// One interface's chain as the manifests want it.
struct WantedChain {
  std::string key;         // interface_key(): "netns/interface"
  std::string fingerprint; // chain_fingerprint() of its target
};

// What a link dump says about an interface.
struct LinkNow {
  enum class State { unknown, absent, present };
  State state = State::unknown; // unknown: its namespace could not be read (fail closed)
  int ifindex = 0;
  uint32_t xdp_prog_id = 0;
};

// What the agent applied last on an interface, as the apply reported it.
struct AppliedChain {
  int ifindex = 0;
  uint32_t prog_id = 0; // the program attached to the interface (dispatcher or entry)
  std::string fingerprint;
};

// An apply that failed: not tried again until the spec or the interface changes, or a
// resync retries every failure.
struct FailedApply {
  std::string fingerprint;
  int ifindex = 0;
};

struct ReconcileInput {
  std::vector<WantedChain> wanted;      // unique keys
  std::map<std::string, LinkNow> links; // by key, for every wanted and applied key
  std::map<std::string, AppliedChain> applied;
  std::map<std::string, FailedApply> failed;
  std::set<std::string> objects_changed; // keys whose members' object files changed
  bool retry_failed = false;             // a resync: try failed applies again
};

enum class Why {
  first,     // not applied by this agent yet (start, or a new manifest or interface)
  config,    // its manifest changed
  objects,   // a member's object file changed
  interface, // the interface was re-created (another ifindex)
  drift,     // another program runs on the interface than the one applied
  retry,     // the last apply failed
};
const char *to_string(Why why);

struct ReconcileStep {
  enum class Action {
    apply,  // make the interface run its wanted chain
    remove, // no manifest wants a chain there any more: take it off
    forget, // the interface is gone: drop the record (and prune its state)
  };
  Action action;
  std::string key;
  Why why = Why::first; // for apply
  size_t wanted = 0;    // index into ReconcileInput::wanted, for apply
};

// In order: wanted keys first (in their order), then keys only applied.
std::vector<ReconcileStep> plan_reconcile(const ReconcileInput &input);

} // namespace xdpchain::agent
