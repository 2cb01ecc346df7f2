// Builds a freplace generation: the generated dispatcher, every member linked to its stub.
#include "dispatcher/chain_state.h"
#include "dispatcher/freplace_generator.h"
#include "dispatcher/generation.h"
#include "dispatcher/program_loader.h"
#include "ext/extension.h"

#include <sys/stat.h>

#include <cerrno>

namespace xdpchain::dispatcher {

namespace {

Result<ext::Extension> member_extension(PlannedMember &member, const GenerationPlan &plan,
                                        ProgRef dispatcher, size_t slot) {
  if (!member.object) {
    auto fd = open_prog_pin(slot_pin(plan.current_generation_path, member.reuse_slot, "prog"));
    if (!fd) return std::move(fd).error();
    return ext::Extension::from_fd(std::move(*fd));
  }
  return ext::Extension::load(std::move(*member.object), dispatcher, slot_function_name(slot),
                              plan.frags);
}

Status link_members(GenerationPlan &plan, ProgRef dispatcher, const std::string &path) {
  for (size_t slot = 0; slot < plan.members.size(); ++slot) {
    PlannedMember &member = plan.members[slot];
    const std::string where = "program '" + member.record.label + "'";
    auto extension = member_extension(member, plan, dispatcher, slot);
    if (!extension) return std::move(extension).error().wrap(where);
    auto link_id = extension->attach_to(dispatcher, slot_function_name(slot));
    if (!link_id) return std::move(link_id).error().wrap(where);
    auto link = extension->take_link(*link_id);
    if (!link) return std::move(link).error().wrap(where);
    XDPC_TRY(link->pin(slot_pin(path, slot, "link")));
    XDPC_TRY(pin_fd(extension->fd().get(), slot_pin(path, slot, "prog")));
    member.record.member_prog_id = extension->id();
    member.record.frags = plan.frags;
  }
  return {};
}

} // namespace

Result<BuiltGeneration> build_freplace_generation(GenerationPlan &plan, const StateDir &dir) {
  DispatcherSpec spec;
  spec.frags = plan.frags;
  spec.counters_map = plan.counters;
  for (const auto &member : plan.members)
    spec.slots.push_back({member.record.proceed_on, member.record.counter_index});
  auto image = generate_freplace_dispatcher(spec);
  if (!image) return std::move(image).error();
  auto built = start_generation(*image, dir);
  if (!built) return built;
  Status linked = link_members(plan, built->program, built->path);
  return finish_generation(std::move(*built), std::move(linked));
}

} // namespace xdpchain::dispatcher
