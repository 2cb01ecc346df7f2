// Builds a tail-call generation: a prog array, a root that tail-calls slot 0, and per member
// an entry program that runs the member's code as a subprogram and tail-calls the next slot.
#include "dispatcher/chain_state.h"
#include "dispatcher/generation.h"
#include "dispatcher/member_code.h"
#include "dispatcher/program_loader.h"
#include "dispatcher/tailcall_generator.h"
#include "ext/extension.h"

#include <bpf/bpf.h>
#include <sys/stat.h>

#include <cerrno>

namespace xdpchain::dispatcher {

namespace {

Status add_members(GenerationPlan &plan, MapRef prog_array, const std::string &path) {
  for (size_t slot = 0; slot < plan.members.size(); ++slot) {
    PlannedMember &member = plan.members[slot];
    const std::string where = "program '" + member.record.label + "'";
    auto code = member_code(member, plan, "tail-call");
    if (!code) return std::move(code).error().wrap(where);

    TailcallEntrySpec spec;
    spec.slot = {member.record.proceed_on, member.record.counter_index};
    spec.position = slot;
    spec.last = slot + 1 == plan.members.size();
    spec.prog_array = prog_array;
    spec.counters_map = plan.counters;
    spec.frags = plan.frags;
    spec.member_insns = code->insns.insns;
    auto image = generate_tailcall_entry(spec);
    if (!image) return std::move(image).error().wrap(where);
    auto entry = load_program(*image);
    if (!entry) return std::move(entry).error().wrap(where + ": entry program");
    uint32_t key = slot;
    int entry_fd = entry->get();
    if (bpf_map_update_elem(prog_array.get(), &key, &entry_fd, BPF_ANY) != 0)
      return Error::from_errno("insert entry program into the prog array", errno).wrap(where);
    XDPC_TRY(pin_fd(code->program.get(), slot_pin(path, slot, "prog")));
    XDPC_TRY(pin_fd(entry->get(), slot_pin(path, slot, "entry")));
    XDPC_TRY(pin_fd(code->insns_map.get(), slot_pin(path, slot, "insns")));
    if (Status arrays = pin_member_prog_arrays(*code, path, slot); !arrays)
      return std::move(arrays).error().wrap(where);
    auto info = ext::program_info(code->program);
    if (!info) return std::move(info).error().wrap(where);
    member.record.member_prog_id = info->id;
  }
  return {};
}

} // namespace

Result<BuiltGeneration> build_tailcall_generation(GenerationPlan &plan, const StateDir &dir) {
  MapFd prog_array(
      bpf_map_create(BPF_MAP_TYPE_PROG_ARRAY, "xdpc_chain", 4, 4, plan.members.size(), nullptr));
  if (!prog_array) return Error::from_errno("create prog array", errno);
  auto image = generate_tailcall_root({prog_array, plan.frags});
  if (!image) return std::move(image).error();
  auto built = start_generation(*image, dir);
  if (!built) return built;
  Status filled = pin_fd(prog_array.get(), built->path + "/prog_array");
  if (filled) filled = add_members(plan, prog_array, built->path);
  return finish_generation(std::move(*built), std::move(filled));
}

} // namespace xdpchain::dispatcher
