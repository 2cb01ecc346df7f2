// apply(), change(), read_status() and current_spec(): the chain on one interface, read
// back from the kernel and bpffs, changed by building a whole new generation and swapping
// it onto the interface in one atomic step (docs/protocol.md).
#include "dispatcher/chain.h"

#include "common/obj_info.h"
#include "dispatcher/chain_state.h"
#include "dispatcher/counters.h"
#include "dispatcher/dispatcher_spec.h"
#include "dispatcher/fused_generator.h"
#include "dispatcher/generation.h"
#include "dispatcher/member_maps.h"
#include "dispatcher/planner.h"
#include "dispatcher/probe.h"
#include "dispatcher/xdp_attach.h"
#include "ext/extension.h"

#include <bpf/bpf.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <set>
#include <thread>

namespace xdpchain::dispatcher {

namespace {

std::string iface_frame(const std::string &name) {
  return "interface '" + name + "'";
}

ChainSpec spec_from_config(const std::string &interface, const ChainConfig &config) {
  ChainSpec spec;
  spec.interface = interface;
  spec.mode = config.mode;
  spec.backend = config.backend;
  spec.counters = config.counters;
  for (const auto &slot : config.slots)
    spec.members.push_back(spec_of(slot));
  return spec;
}

// Replaces a build failure with the probe's reason when the kernel refuses the backend
// itself (rather than one member).
Error backend_refused(Backend backend, Error error) {
  const FeatureResult &probe = backend == Backend::freplace ? probe_freplace()
                               : backend == Backend::fused  ? probe_fused()
                                                            : probe_tailcall();
  if (probe.supported) return error;
  Error refused(ErrorKind::not_supported, std::string("backend ") + to_string(backend) +
                                              " cannot work here: " + probe.reason);
  if (backend == Backend::freplace) refused.hint("use --backend tailcall (or auto)");
  return refused;
}

Result<MapFd> open_or_create_counters(const StateDir &dir) {
  auto pinned = open_map_pin(dir.counters_path());
  if (pinned) return pinned;
  if (pinned.error().err() != ENOENT) return pinned;
  auto created = create_counters_map();
  if (!created) return created;
  XDPC_TRY(pin_fd(created->get(), dir.counters_path()));
  return created;
}

Status detach_chain(const StateDir &dir, CurrentChain &current) {
  if (current.present && bpf_link_detach(current.link.get()) != 0)
    return Error::from_errno("detach the chain", errno);
  current.present = false;
  collect_garbage(dir, current);
  StateDir::remove_tree(dir.counters_path());
  dir.remove_if_empty();
  return {};
}

// Puts `built` on the interface: an atomic link update when a chain is there, else a new
// pinned link (after removing a foreign program when told to).
Status swap_in(const StateDir &dir, const InterfaceRef &iface, const CurrentChain &current,
               const BuiltGeneration &built, Mode mode, const AttachedProgram &foreign) {
  if (current.present) return swap_xdp_link(current.link, built.program, current.dispatcher);
  if (foreign.prog_id != 0) XDPC_TRY(detach_netlink_program(iface.ifindex, foreign.mode));
  auto link = create_xdp_link(iface.ifindex, iface.name, built.program, mode);
  if (!link) return std::move(link).error();
  return pin_fd(link->get(), dir.link_path()); // on failure the link closes and detaches
}

// A member's object from its file or from the bytes the spec holds, with its program name
// and map pins. Neither: the member was given as bytes earlier and is read back now
// (ENOENT: the planner keeps its program).
Result<ext::ProgramObject> open_member_object(const MemberSpec &spec) {
  ext::ObjectOpenOptions options;
  options.program = spec.program;
  options.pin_root = spec.pin_root;
  for (const auto &pin : spec.map_pins)
    options.map_pins.push_back({pin.map, pin.path});
  if (!spec.object_bytes.empty())
    return ext::ProgramObject::open_bytes(
        std::string(reinterpret_cast<const char *>(spec.object_bytes.data()),
                    spec.object_bytes.size()),
        "(object bytes)", options);
  if (spec.object_path.empty())
    return Error(ErrorKind::not_found,
                 "no object: the program was given as object bytes, which are not kept", ENOENT)
        .hint("give its object (file or bytes) again to change it");
  return ext::ProgramObject::open(spec.object_path, options);
}

// The planner's view of a real interface: objects opened from their files (kept for the
// build step), the program attached to the interface, the probe, the pinned counters map.
class KernelChainView : public ChainView {
public:
  KernelChainView(const InterfaceRef &iface, const StateDir &dir) : iface_(iface), dir_(dir) {}

  Result<ObjectFacts> open_object(const MemberSpec &spec, size_t index) override {
    auto object = open_member_object(spec);
    if (!object) return std::move(object).error();
    ObjectFacts facts{object->program_name(), object->content_hash(), object->frags(),
                      object->run_config()};
    objects_.insert_or_assign(index, std::move(*object));
    return facts;
  }
  Result<AttachedProgram> attached_program() override { return query_attached(iface_.ifindex); }
  Backend preferred_backend() override { return automatic_backend(probe_freplace()); }
  Result<std::vector<Counters>> counter_values(CounterLayout layout) override {
    if (dir_.path().empty()) return std::vector<Counters>(kCounterBlocks);
    auto pinned = open_map_pin(dir_.counters_path());
    if (!pinned && pinned.error().err() == ENOENT) return std::vector<Counters>(kCounterBlocks);
    if (!pinned) return std::move(pinned).error();
    return read_counters(*pinned, layout);
  }
  // The object opened for desired member `index` (when the plan loads it).
  std::optional<ext::ProgramObject> take_object(size_t index) {
    auto it = objects_.find(index);
    if (it == objects_.end()) return std::nullopt;
    std::optional<ext::ProgramObject> object(std::move(it->second));
    objects_.erase(it);
    return object;
  }

private:
  const InterfaceRef &iface_;
  const StateDir &dir_;
  std::map<size_t, ext::ProgramObject> objects_;
};

Result<ApplyReport> apply_locked(const ChainSpec &desired, const InterfaceRef &iface,
                                 const StateDir &dir, CurrentChain &current,
                                 const ChainOptions &options, const ApplyOptions &apply_options) {
  ApplyReport report;
  report.previous_dispatcher_prog_id = current.present ? current.dispatcher_id : 0;
  KernelChainView view(iface, dir);
  auto planned = plan_chain(desired, current, options, view);
  if (!planned) return std::move(planned).error();
  report.deltas = planned->deltas;
  if (apply_options.dry_run) return report;
  if (planned->detach && !current.present) {
    // Nothing to detach: leave no empty directory behind either.
    StateDir::remove_tree(dir.counters_path());
    dir.remove_if_empty();
    return report;
  }
  if (!planned->changes) return report;
  if (planned->detach) {
    XDPC_TRY(detach_chain(dir, current));
    report.swapped = true;
    return report;
  }

  GenerationPlan plan;
  plan.backend = planned->backend;
  plan.mode = planned->mode;
  plan.counting = planned->counting;
  plan.frags = planned->frags;
  plan.generation = current.config.generation + 1;
  plan.current_generation_path = current.generation_path;
  plan.members = std::move(planned->members);
  for (auto &member : plan.members) {
    if (member.reuse_slot >= 0) continue;
    member.object = view.take_object(member.spec_index);
    if (!member.object)
      return Error(ErrorKind::kernel, "program '" + member.record.label + "': object not opened");
  }
  // Extensions carry the frags flag of the dispatcher they were loaded for: when the chain's
  // setting changes, reload unchanged members from their objects.
  if (plan.backend == Backend::freplace && current.present && current.config.frags != plan.frags)
    for (auto &member : plan.members) {
      if (member.reuse_slot < 0) continue;
      // The desired spec: its file, or the bytes the caller gave again, and its map pins.
      auto object = open_member_object(desired.members[member.spec_index]);
      if (!object || object->content_hash() != member.record.object_hash)
        return Error(ErrorKind::not_supported,
                     "program '" + member.record.label +
                         "' must be reloaded for the chain's new frags (multi-buffer) setting, "
                         "but its object (file or bytes) is gone or changed")
            .hint("give its object again, or remove and re-add it");
      member.object = std::move(*object);
    }

  auto counters = open_or_create_counters(dir);
  if (!counters) return std::move(counters).error();
  plan.counters = *counters;

  auto built = plan.backend == Backend::freplace ? build_freplace_generation(plan, dir)
               : plan.backend == Backend::fused  ? build_fused_generation(plan, dir)
                                                 : build_tailcall_generation(plan, dir);
  if (!built) {
    if (built.error().err() == EPERM || built.error().err() == EINVAL)
      return backend_refused(plan.backend, std::move(built).error());
    return std::move(built).error();
  }

  ChainConfig config;
  config.backend = plan.backend;
  config.mode = plan.mode;
  config.frags = plan.frags;
  config.counters = plan.counting;
  config.generation = plan.generation;
  for (const auto &member : plan.members)
    config.slots.push_back(member.record);
  auto config_fd = write_config_map(config);
  Status pinned =
      config_fd ? pin_fd(config_fd->get(), built->path + "/config") : Status(config_fd.error());
  Status swapped =
      pinned ? swap_in(dir, iface, current, *built, plan.mode, planned->foreign) : pinned;
  if (!swapped) {
    StateDir::remove_tree(built->path);
    return std::move(swapped).error();
  }
  if (current.present && !apply_options.keep_previous)
    StateDir::remove_tree(current.generation_path);
  report.swapped = true;
  return report;
}

struct LockedInterface {
  InterfaceRef iface;
  StateDir dir;
  CurrentChain current;
};

Result<LockedInterface> lock_interface(const std::string &interface, const ChainOptions &options,
                                       bool dry_run) {
  auto iface = resolve_interface(interface);
  if (!iface) return std::move(iface).error();
  auto dir = StateDir::open(options.bpffs_root, *iface, !dry_run);
  if (!dir) return std::move(dir).error();
  XDPC_TRY(dir->lock(options.lock_wait));
  auto current = read_current_chain(*dir);
  if (!current) return std::move(current).error();
  if (!dry_run) collect_garbage(*dir, *current);
  return LockedInterface{std::move(*iface), std::move(*dir), std::move(*current)};
}

} // namespace

Result<ApplyReport> change(const std::string &interface, const ChainChange &change_fn,
                           const ChainOptions &options, const ApplyOptions &apply_options) {
  auto locked = lock_interface(interface, options, apply_options.dry_run);
  if (!locked && apply_options.dry_run && locked.error().kind() == ErrorKind::not_found) {
    // Dry run on an interface without state: plan against an empty chain.
    auto iface = resolve_interface(interface);
    if (!iface) return std::move(iface).error().wrap(iface_frame(interface));
    ChainSpec empty;
    empty.interface = interface;
    auto desired = change_fn(empty, false);
    if (!desired) return std::move(desired).error().wrap(iface_frame(interface));
    // The same planning and refusals as a real apply (another tool's program, member
    // limits): a dry run returns before anything touches the (here absent) state directory.
    CurrentChain none;
    auto report = apply_locked(*desired, *iface, StateDir{}, none, options, apply_options);
    if (!report) return std::move(report).error().wrap(iface_frame(interface));
    return report;
  }
  if (!locked) return std::move(locked).error().wrap(iface_frame(interface));
  ChainSpec current =
      locked->current.present
          ? spec_from_config(interface, locked->current.config)
          : ChainSpec{interface, Mode::native, Backend::automatic, std::nullopt, {}};
  // A refused change (the verb's or the kernel's) leaves nothing behind on an interface we
  // did not own: `remove eth0 --all` on a bare interface creates no state directory.
  auto forget_unowned = [&] {
    if (locked->current.present) return;
    StateDir::remove_tree(locked->dir.counters_path());
    locked->dir.remove_if_empty();
  };
  auto desired = change_fn(current, locked->current.present);
  if (!desired) {
    forget_unowned();
    return std::move(desired).error().wrap(iface_frame(interface));
  }
  auto report =
      apply_locked(*desired, locked->iface, locked->dir, locked->current, options, apply_options);
  if (!report) {
    forget_unowned();
    return std::move(report).error().wrap(iface_frame(interface));
  }
  if (!apply_options.dry_run) {
    auto status = read_status(interface, options);
    if (status) report->status = std::move(*status);
  }
  return report;
}

Result<ApplyReport> apply(const ChainSpec &desired, const ChainOptions &options,
                          const ApplyOptions &apply_options) {
  // Read and check every object before the lock: no user input is read while it is held
  // (a failure shows again, with the member's name, when the plan opens the object).
  for (const auto &member : desired.members)
    if (!member.object_path.empty()) (void)ext::preload_object(member.object_path);
  return change(
      desired.interface, [&](const ChainSpec &, bool) -> Result<ChainSpec> { return desired; },
      options, apply_options);
}

namespace {

// The interface's state directory, locked, and the chain it holds, without clearing away
// kept generations (restore_previous needs them).
Result<LockedInterface> lock_existing(const std::string &interface, const ChainOptions &options) {
  auto iface = resolve_interface(interface);
  if (!iface) return std::move(iface).error();
  auto dir = StateDir::open(options.bpffs_root, *iface, false);
  if (!dir) return std::move(dir).error();
  XDPC_TRY(dir->lock(options.lock_wait));
  auto current = read_current_chain(*dir);
  if (!current) return std::move(current).error();
  return LockedInterface{std::move(*iface), std::move(*dir), std::move(*current)};
}

Status restore_locked(LockedInterface &locked, uint32_t previous) {
  CurrentChain &current = locked.current;
  if (previous == 0) { // there was no chain: take the new one off
    if (current.present) return detach_chain(locked.dir, current);
    collect_garbage(locked.dir, current);
    return {};
  }
  if (!current.present)
    return Error(ErrorKind::conflict, "the chain was removed meanwhile; its previous "
                                      "generation cannot be put back");
  if (current.dispatcher_id != previous) {
    auto kept = open_prog_pin(locked.dir.generation_path(previous) + "/dispatcher");
    if (!kept)
      return std::move(kept).error().wrap("previous generation (dispatcher prog id " +
                                          std::to_string(previous) + ")");
    XDPC_TRY(swap_xdp_link(current.link, *kept, current.dispatcher));
  }
  auto now = read_current_chain(locked.dir);
  if (!now) return std::move(now).error();
  collect_garbage(locked.dir, *now);
  return {};
}

} // namespace

Status restore_previous(const std::string &interface, uint32_t previous_dispatcher_prog_id,
                        const ChainOptions &options) {
  auto locked = lock_existing(interface, options);
  if (!locked) return std::move(locked).error().wrap(iface_frame(interface));
  Status restored = restore_locked(*locked, previous_dispatcher_prog_id);
  if (!restored) return std::move(restored).error().wrap(iface_frame(interface));
  return {};
}

Status release_previous(const std::string &interface, const ChainOptions &options) {
  auto locked = lock_existing(interface, options);
  if (!locked) return std::move(locked).error().wrap(iface_frame(interface));
  collect_garbage(locked->dir, locked->current);
  return {};
}

namespace {

// The program the interface's pinned link runs (0 when none): changes with every swap.
uint32_t attached_generation(const InterfaceRef &iface, const ChainOptions &options) {
  auto dir = StateDir::open(options.bpffs_root, iface, false);
  if (!dir) return 0;
  auto link = open_link_pin(dir->link_path());
  if (!link) return 0;
  auto info = xdp_link_info(*link);
  return info ? info->prog_id : 0;
}

// Readers take no lock (a writer may hold it for seconds): they read, and read again when a
// writer swapped generations meanwhile, so they never report a half-removed generation.
template <typename Read>
auto read_consistently(const std::string &interface, const ChainOptions &options, Read read)
    -> decltype(read()) {
  auto iface = resolve_interface(interface);
  for (int attempt = 0;; ++attempt) {
    uint32_t before = iface ? attached_generation(*iface, options) : 0;
    auto result = read();
    uint32_t after = iface ? attached_generation(*iface, options) : 0;
    if (before == after || attempt == 200) return result;
    std::this_thread::sleep_for(std::chrono::milliseconds(1 + attempt % 10));
  }
}

Result<ChainSpec> current_spec_once(const std::string &interface, const ChainOptions &options) {
  auto iface = resolve_interface(interface);
  if (!iface) return std::move(iface).error().wrap(iface_frame(interface));
  auto dir = StateDir::open(options.bpffs_root, *iface, false);
  if (!dir) return std::move(dir).error().wrap(iface_frame(interface));
  auto current = read_current_chain(*dir);
  if (!current) return std::move(current).error().wrap(iface_frame(interface));
  if (!current->present)
    return Error(ErrorKind::not_found, "no xdpchain chain").wrap(iface_frame(interface));
  return spec_from_config(interface, current->config);
}

Result<ChainStatus> read_status_once(const std::string &interface, const ChainOptions &options) {
  auto iface = resolve_interface(interface);
  if (!iface) return std::move(iface).error().wrap(iface_frame(interface));
  ChainStatus status;
  status.interface = interface;
  status.ifindex = iface->ifindex;
  auto attached = query_attached(iface->ifindex);
  if (!attached) return std::move(attached).error().wrap(iface_frame(interface));

  auto dir = StateDir::open(options.bpffs_root, *iface, false);
  CurrentChain current;
  if (dir) {
    auto read = read_current_chain(*dir);
    if (!read) return std::move(read).error().wrap(iface_frame(interface));
    current = std::move(*read);
  }
  if (!current.present) {
    if (attached->prog_id) status.foreign_program = attached->describe();
    return status;
  }
  status.present = true;
  status.mode = current.config.mode;
  status.backend = current.config.backend;
  status.dispatcher_prog_id = current.dispatcher_id;
  status.xdp_link_id = current.link_id;
  status.generation = current.config.generation;
  status.frags = current.config.frags;
  status.counters = current.config.counters;
  if (current.config.backend == Backend::fused) {
    auto info = ext::program_info(current.dispatcher);
    if (info && info->name == kFusedOptimisedName)
      status.fused_optimiser = "on";
    else
      status.fused_optimiser = "off: the verifier refused the optimised program (or the chain "
                               "was generated before the optimiser)";
  }
  if (attached->prog_id != current.dispatcher_id)
    status.foreign_program = attached->prog_id ? attached->describe() : "";

  std::vector<Counters> counters(kCounterBlocks);
  if (auto counters_map = open_map_pin(dir->counters_path()); counters_map)
    if (auto read = read_counters(*counters_map, counter_layout(current.config.backend)); read)
      counters = std::move(*read);
  MapFd prog_array;
  if (current.config.backend == Backend::tailcall)
    if (auto fd = open_map_pin(current.generation_path + "/prog_array"); fd)
      prog_array = std::move(*fd);

  for (size_t slot = 0; slot < current.config.slots.size(); ++slot) {
    const SlotRecord &record = current.config.slots[slot];
    MemberStatus member;
    static_cast<ChainMember &>(member) = record;
    member.prog_id = record.member_prog_id;
    member.maps = member_maps(record.member_prog_id, record);
    member.counters = subtract(counters[record.counter_index % kCounterBlocks], record.baseline);
    if (current.config.backend == Backend::freplace) {
      if (auto link = open_link_pin(slot_pin(current.generation_path, slot, "link")); link) {
        if (auto info = link_info(*link); info) {
          member.link_id = info->id;
          member.attached = info->prog_id == record.member_prog_id;
        }
      }
    } else if (current.config.backend == Backend::fused) {
      member.attached = true; // its code is inside the attached program
    } else if (prog_array) {
      uint32_t key = slot, entry_id = 0;
      if (bpf_map_lookup_elem(prog_array.get(), &key, &entry_id) == 0) {
        member.entry_prog_id = entry_id;
        member.attached = entry_id != 0;
      }
    }
    status.members.push_back(std::move(member));
  }
  return status;
}

} // namespace

Result<ChainSpec> current_spec(const std::string &interface, const ChainOptions &options) {
  return read_consistently(interface, options,
                           [&] { return current_spec_once(interface, options); });
}

Result<ChainStatus> read_status(const std::string &interface, const ChainOptions &options) {
  return read_consistently(interface, options,
                           [&] { return read_status_once(interface, options); });
}

} // namespace xdpchain::dispatcher
