// One dispatcher generation: the programs, links and maps that make a whole chain, built
// completely and pinned under gen-<dispatcher id>/ before anything is swapped onto the
// interface. Building has no effect on traffic; a failure removes what was pinned.
#pragma once

#include "common/fd.h"
#include "common/result.h"
#include "dispatcher/chain_config.h"
#include "dispatcher/dispatcher_spec.h"
#include "dispatcher/state_dir.h"
#include "ext/program_object.h"

#include <optional>
#include <string>
#include <vector>

namespace xdpchain::dispatcher {

struct PlannedMember {
  SlotRecord record; // label, object, priority, proceed set, counter block, baseline...
  // Opened from its file when the member must be loaded; unset when the program loaded
  // for the current generation is reused (then `reuse_slot` names its slot there).
  std::optional<ext::ProgramObject> object;
  int reuse_slot = -1;
  size_t spec_index = 0; // position of the member in the desired ChainSpec
};

struct GenerationPlan {
  Backend backend = Backend::freplace; // never automatic here
  Mode mode = Mode::native;
  bool frags = false;
  uint32_t generation = 0;
  std::vector<PlannedMember> members;  // in run order
  std::string current_generation_path; // where reused programs are pinned now
  MapRef counters;
  bool counting = true; // false: the generated code does not count (fused backend only)
};

struct BuiltGeneration {
  ProgFd program; // what the interface's link will run
  uint32_t program_id = 0;
  std::string path;
};

Result<BuiltGeneration> build_freplace_generation(GenerationPlan &plan, const StateDir &dir);
Result<BuiltGeneration> build_tailcall_generation(GenerationPlan &plan, const StateDir &dir);
Result<BuiltGeneration> build_fused_generation(GenerationPlan &plan, const StateDir &dir);

// Loads the generation's main program (dispatcher or root), creates gen-<its id>/ and pins
// it there as `dispatcher`.
Result<BuiltGeneration> start_generation(const ProgramImage &image, const StateDir &dir);
// Returns `built` when `status` is fine; otherwise removes its directory and returns the error.
Result<BuiltGeneration> finish_generation(BuiltGeneration built, Status status);

// Pin names inside a generation directory.
std::string slot_pin(const std::string &generation_path, size_t slot, const char *what);

} // namespace xdpchain::dispatcher
