// Builds a fused generation: every member loaded on its own (for its maps and its id), and
// one generated program running all their code inline. Unchanged members reuse the
// program and pinned instructions of the current generation, so their maps stay.
#include "dispatcher/chain_state.h"
#include "dispatcher/fused_generator.h"
#include "dispatcher/generation.h"
#include "dispatcher/member_code.h"
#include "dispatcher/program_loader.h"
#include "ext/extension.h"

namespace xdpchain::dispatcher {

namespace {

// Names the member the verifier stopped in when it refuses the fused program.
Error verifier_refused(Error error, const FusedImage &fused, const GenerationPlan &plan) {
  long member = member_at_verifier_stop(error.verifier_log(), fused.ranges);
  if (member < 0) return error;
  return std::move(error)
      .wrap("the verifier stopped in the code of program '" + plan.members[member].record.label +
            "'")
      .hint("the program loads on its own; try --backend tailcall, which runs it unchanged");
}

} // namespace

Result<BuiltGeneration> build_fused_generation(GenerationPlan &plan, const StateDir &dir) {
  std::vector<MemberCode> codes;
  FusedSpec spec;
  spec.counters_map = plan.counting ? plan.counters : MapRef();
  spec.frags = plan.frags;
  for (PlannedMember &member : plan.members) {
    auto code = member_code(member, plan, "fused");
    if (!code) return std::move(code).error().wrap("program '" + member.record.label + "'");
    spec.members.push_back({{member.record.proceed_on, member.record.counter_index},
                            member.record.label,
                            code->insns.insns});
    codes.push_back(std::move(*code));
  }
  auto fused = generate_fused(spec);
  if (!fused) return std::move(fused).error();
  auto built = start_generation(fused->image, dir);
  // The optimiser must never cost a chain its load: when the verifier refuses the program
  // with the fast path, the program without it is tried, and its verdict is the one given.
  if (!built && fused->fast_path_bytes > 0 && !built.error().verifier_log().empty()) {
    spec.optimise = false;
    fused = generate_fused(spec);
    if (!fused) return std::move(fused).error();
    built = start_generation(fused->image, dir);
  }
  if (!built) return verifier_refused(std::move(built).error(), *fused, plan);

  Status pinned;
  for (size_t slot = 0; pinned && slot < codes.size(); ++slot) {
    pinned = pin_fd(codes[slot].program.get(), slot_pin(built->path, slot, "prog"));
    if (pinned) pinned = pin_fd(codes[slot].insns_map.get(), slot_pin(built->path, slot, "insns"));
    if (pinned) pinned = pin_member_prog_arrays(codes[slot], built->path, slot);
    if (!pinned) break;
    auto info = ext::program_info(codes[slot].program);
    if (!info)
      pinned = std::move(info).error();
    else
      plan.members[slot].record.member_prog_id = info->id;
  }
  return finish_generation(std::move(*built), std::move(pinned));
}

} // namespace xdpchain::dispatcher
