// apply(), change(), read_status() and current_spec(): the chain on one interface, read
// back from the kernel and bpffs, changed by building a whole new generation and swapping
// it onto the interface in one atomic step (docs/protocol.md).
#include "dispatcher/chain.h"

#include "dispatcher/chain_state.h"
#include "dispatcher/counters.h"
#include "dispatcher/dispatcher_spec.h"
#include "dispatcher/generation.h"
#include "dispatcher/order.h"
#include "dispatcher/probe.h"
#include "dispatcher/xdp_attach.h"

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
  for (const auto &slot : config.slots) {
    MemberSpec member;
    member.label = slot.label;
    member.object_path = slot.object_path;
    member.program = slot.program;
    member.priority = slot.priority;
    member.proceed_on = slot.proceed_on;
    member.pin_root = slot.pin_root;
    member.map_pins = slot.map_pins;
    spec.members.push_back(std::move(member));
  }
  return spec;
}

// `auto` keeps the current chain's backend, else probes for freplace. An explicit backend
// is simply tried: when it fails, backend_refused() asks the probe why.
Backend choose_backend(const ChainSpec &desired, const CurrentChain &current) {
  if (desired.backend != Backend::automatic) return desired.backend;
  if (current.present) return current.config.backend;
  return probe_freplace().supported ? Backend::freplace : Backend::tailcall;
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

Status check_limits(const ChainSpec &desired, Backend backend) {
  int limit = backend == Backend::tailcall ? kMaxMembersTailcall
              : backend == Backend::fused  ? kMaxMembersFused
                                           : kMaxMembersFreplace;
  int count = static_cast<int>(desired.members.size());
  if (count <= limit) return {};
  Error error(ErrorKind::invalid_argument, "a chain of " + std::to_string(count) +
                                               " programs exceeds the " + to_string(backend) +
                                               " backend's limit of " + std::to_string(limit));
  if (backend == Backend::tailcall)
    error
        .hint("the kernel stops a packet after 33 tail calls (MAX_TAIL_CALL_CNT); the root "
              "uses one per member, and members' own tail calls count too")
        .hint("the freplace backend takes up to " + std::to_string(kMaxMembersFreplace) +
              " programs where the kernel allows it (xdpchain features)");
  return error;
}

// Counters stay as the chain has them unless the spec says otherwise; a new chain counts.
bool chain_counters(const ChainSpec &desired, const CurrentChain &current) {
  if (desired.counters) return *desired.counters;
  return current.present ? current.config.counters : true;
}

Status check_counters(bool counters, Backend backend) {
  if (counters || backend == Backend::fused) return {};
  return Error(ErrorKind::invalid_argument, std::string("the ") + to_string(backend) +
                                                " backend always counts; only the fused "
                                                "backend can turn counters off")
      .hint("use --backend fused, or leave counters on");
}

// Opens every member's object (nothing is loaded yet), fills in priorities and proceed sets
// from the spec, the object's XDP_RUN_CONFIG, or the defaults, and decides which members
// can keep the program loaded for the current generation.
Result<std::vector<PlannedMember>> plan_members(const ChainSpec &desired,
                                                const CurrentChain &current, Backend backend) {
  std::map<std::string, size_t> current_slot;
  uint32_t next_sequence = 1;
  for (size_t i = 0; i < current.config.slots.size(); ++i) {
    current_slot[current.config.slots[i].label] = i;
    next_sequence = std::max(next_sequence, current.config.slots[i].sequence + 1);
  }
  std::set<std::string> labels;
  std::vector<PlannedMember> planned;
  for (const MemberSpec &spec : desired.members) {
    PlannedMember member;
    SlotRecord &record = member.record;
    const SlotRecord *old = nullptr;
    if (auto it = current_slot.find(spec.label); !spec.label.empty() && it != current_slot.end())
      old = &current.config.slots[it->second];

    ext::ObjectOpenOptions open_options;
    open_options.program = spec.program;
    open_options.pin_root = spec.pin_root;
    for (const auto &pin : spec.map_pins)
      open_options.map_pins.push_back({pin.map, pin.path});
    auto object = ext::ProgramObject::open(spec.object_path, open_options);
    bool same_file_gone = !object && old && old->object_path == spec.object_path &&
                          old->program == spec.program && object.error().err() == ENOENT;
    if (!object && !same_file_gone) {
      // Without a label yet, the object's own context already names the file.
      if (spec.label.empty()) return std::move(object).error();
      return std::move(object).error().wrap("program '" + spec.label + "'");
    }
    if (object) {
      record.program = object->program_name();
      record.object_hash = object->content_hash();
      record.frags = object->frags();
    } else {
      record.program = old->program;
      record.object_hash = old->object_hash;
      record.frags = old->frags;
    }
    record.label = spec.label.empty() ? record.program : spec.label;
    if (!old && spec.label.empty())
      if (auto it = current_slot.find(record.label); it != current_slot.end())
        old = &current.config.slots[it->second];
    if (!valid_label(record.label))
      return Error(ErrorKind::invalid_argument, "invalid label '" + record.label + "'")
          .hint("use letters, digits, '_', '-' and '.', at most 63, starting with a letter or "
                "digit (--name LABEL)");
    if (!labels.insert(record.label).second)
      return Error(ErrorKind::invalid_argument, "two programs are labelled '" + record.label + "'")
          .hint("give one a different name (--name LABEL)");
    record.object_path = spec.object_path;
    record.pin_root = spec.pin_root;
    record.map_pins = spec.map_pins;
    const ext::RunConfig run = object ? object->run_config() : ext::RunConfig{};
    record.priority = spec.priority.value_or(run.priority.value_or(kDefaultPriority));
    record.proceed_on = spec.proceed_on.value_or(run.proceed_on.value_or(kDefaultProceedOn));
    if (record.priority < kMinPriority || record.priority > kMaxPriority)
      return Error(ErrorKind::invalid_argument, "program '" + record.label + "': priority " +
                                                    std::to_string(record.priority) +
                                                    " is outside " + std::to_string(kMinPriority) +
                                                    ".." + std::to_string(kMaxPriority));
    record.sequence = old ? old->sequence : next_sequence++;

    bool same_program = old && old->object_hash == record.object_hash &&
                        old->program == record.program && old->pin_root == record.pin_root &&
                        old->map_pins == record.map_pins && current.config.backend == backend;
    if (same_program) {
      member.reuse_slot = static_cast<int>(old - current.config.slots.data());
      record.counter_index = old->counter_index;
      record.baseline = old->baseline;
      record.member_prog_id = old->member_prog_id;
    } else {
      if (!object) return std::move(object).error();
      member.object = std::move(*object);
    }
    planned.push_back(std::move(member));
  }
  return planned;
}

void sort_by_run_order(std::vector<PlannedMember> &members) {
  std::vector<OrderKey> keys;
  for (const auto &m : members)
    keys.push_back({m.record.priority, m.record.label, m.record.sequence});
  std::vector<PlannedMember> sorted;
  for (size_t i : run_order(keys))
    sorted.push_back(std::move(members[i]));
  members = std::move(sorted);
}

std::vector<MemberDelta> compute_deltas(const std::vector<PlannedMember> &members,
                                        const CurrentChain &current) {
  std::vector<MemberDelta> deltas;
  std::map<std::string, size_t> old_position;
  for (size_t i = 0; i < current.config.slots.size(); ++i)
    old_position[current.config.slots[i].label] = i;
  for (size_t i = 0; i < members.size(); ++i) {
    const SlotRecord &r = members[i].record;
    auto it = old_position.find(r.label);
    if (it == old_position.end()) {
      deltas.push_back({r.label, MemberChange::added, "at position " + std::to_string(i)});
      continue;
    }
    const SlotRecord &o = current.config.slots[it->second];
    old_position.erase(it);
    std::string detail;
    if (o.object_hash != r.object_hash)
      detail = "object changed";
    else if (o.program != r.program)
      detail = "program '" + o.program + "' -> '" + r.program + "'";
    else if (o.object_path != r.object_path)
      detail = "object path '" + o.object_path + "' -> '" + r.object_path + "'";
    if (o.pin_root != r.pin_root || o.map_pins != r.map_pins)
      detail += (detail.empty() ? "" : ", ") + std::string("map pins changed");
    if (o.priority != r.priority)
      detail += (detail.empty() ? "" : ", ") + std::string("priority ") +
                std::to_string(o.priority) + " -> " + std::to_string(r.priority);
    if (o.proceed_on != r.proceed_on)
      detail += (detail.empty() ? "" : ", ") + std::string("proceed-on ") +
                actions_to_string(o.proceed_on) + " -> " + actions_to_string(r.proceed_on);
    size_t from = &o - current.config.slots.data();
    if (!detail.empty())
      deltas.push_back({r.label, MemberChange::changed, detail});
    else if (from != i)
      deltas.push_back({r.label, MemberChange::reordered,
                        "position " + std::to_string(from) + " -> " + std::to_string(i)});
    else
      deltas.push_back({r.label, MemberChange::unchanged, ""});
  }
  for (const auto &[label, position] : old_position)
    deltas.push_back({label, MemberChange::removed, "was at position " + std::to_string(position)});
  return deltas;
}

bool nothing_changes(const std::vector<MemberDelta> &deltas, const CurrentChain &current,
                     Backend backend, Mode mode, bool counters) {
  if (!current.present || current.config.backend != backend || current.config.mode != mode ||
      current.config.counters != counters)
    return false;
  return std::all_of(deltas.begin(), deltas.end(),
                     [](const MemberDelta &d) { return d.change == MemberChange::unchanged; });
}

Status assign_counters(std::vector<PlannedMember> &members, const CurrentChain &current,
                       int counters_fd) {
  std::set<uint32_t> taken;
  for (const auto &slot : current.config.slots)
    taken.insert(slot.counter_index);
  auto now = read_counters(counters_fd);
  if (!now) return std::move(now).error();
  uint32_t next = 0;
  for (auto &member : members) {
    if (member.reuse_slot >= 0) continue;
    while (next < kCounterBlocks && taken.count(next))
      ++next;
    if (next >= kCounterBlocks)
      return Error(ErrorKind::invalid_argument,
                   "no free counter block (" + std::to_string(kCounterBlocks) + " in use)");
    member.record.counter_index = next;
    member.record.baseline = (*now)[next];
    taken.insert(next++);
  }
  return {};
}

Result<Fd> open_or_create_counters(const StateDir &dir) {
  auto pinned = open_pin(dir.counters_path());
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
  if (current.present)
    return swap_xdp_link(current.link.get(), built.program.get(), current.dispatcher.get());
  if (foreign.prog_id != 0) XDPC_TRY(detach_netlink_program(iface.ifindex, foreign.mode));
  auto link = create_xdp_link(iface.ifindex, iface.name, built.program.get(), mode);
  if (!link) return std::move(link).error();
  return pin_fd(link->get(), dir.link_path()); // on failure the link closes and detaches
}

Result<ApplyReport> apply_locked(const ChainSpec &desired, const InterfaceRef &iface,
                                 const StateDir &dir, CurrentChain &current,
                                 const ChainOptions &options, const ApplyOptions &apply_options) {
  ApplyReport report;
  report.previous_dispatcher_prog_id = current.present ? current.dispatcher_id : 0;
  if (desired.members.empty()) {
    for (const auto &slot : current.config.slots)
      report.deltas.push_back({slot.label, MemberChange::removed, ""});
    if (apply_options.dry_run) return report;
    if (!current.present) { // nothing to detach: leave no empty directory behind either
      StateDir::remove_tree(dir.counters_path());
      dir.remove_if_empty();
      return report;
    }
    XDPC_TRY(detach_chain(dir, current));
    report.swapped = true;
    return report;
  }

  report.previous_dispatcher_prog_id = current.present ? current.dispatcher_id : 0;
  AttachedProgram foreign;
  if (!current.present) {
    auto attached = query_attached(iface.ifindex);
    if (!attached) return std::move(attached).error();
    foreign = *attached;
    if (foreign.prog_id != 0 && !options.replace_foreign)
      return Error(ErrorKind::conflict,
                   "runs another tool's " + foreign.describe() + "; xdpchain will not replace it")
          .hint("use --force to replace it");
  } else if (current.config.mode != desired.mode) {
    return Error(ErrorKind::invalid_argument, std::string("the chain runs in ") +
                                                  to_string(current.config.mode) +
                                                  " mode; a swap cannot change the mode")
        .hint("remove the chain first (xdpchain remove " + iface.name + " --all)");
  }

  const Backend backend = choose_backend(desired, current);
  XDPC_TRY(check_limits(desired, backend));
  auto members = plan_members(desired, current, backend);
  if (!members) return std::move(members).error();
  sort_by_run_order(*members);
  report.deltas = compute_deltas(*members, current);
  const bool counting = chain_counters(desired, current);
  XDPC_TRY(check_counters(counting, backend));
  if (nothing_changes(report.deltas, current, backend, desired.mode, counting) ||
      apply_options.dry_run)
    return report;

  GenerationPlan plan;
  plan.backend = backend;
  plan.mode = desired.mode;
  plan.counting = counting;
  plan.frags = std::all_of(members->begin(), members->end(),
                           [](const PlannedMember &m) { return m.record.frags; });
  plan.generation = current.config.generation + 1;
  plan.current_generation_path = current.generation_path;
  plan.members = std::move(*members);
  // Extensions carry the frags flag of the dispatcher they were loaded for: when the chain's
  // setting changes, reload unchanged members from their objects.
  if (plan.backend == Backend::freplace && current.present && current.config.frags != plan.frags)
    for (auto &member : plan.members) {
      if (member.reuse_slot < 0) continue;
      ext::ObjectOpenOptions open_options;
      open_options.program = member.record.program;
      auto object = ext::ProgramObject::open(member.record.object_path, open_options);
      if (!object || object->content_hash() != member.record.object_hash)
        return Error(ErrorKind::not_supported,
                     "program '" + member.record.label +
                         "' must be reloaded for the chain's new frags (multi-buffer) setting, "
                         "but its object file is gone or changed")
            .hint("remove and re-add it");
      member.object = std::move(*object);
    }

  auto counters = open_or_create_counters(dir);
  if (!counters) return std::move(counters).error();
  plan.counters_fd = counters->get();
  XDPC_TRY(assign_counters(plan.members, current, plan.counters_fd));

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
  Status swapped = pinned ? swap_in(dir, iface, current, *built, plan.mode, foreign) : pinned;
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
    (void)ext::preload_object(member.object_path);
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
    auto kept = open_pin(locked.dir.generation_path(previous) + "/dispatcher");
    if (!kept)
      return std::move(kept).error().wrap("previous generation (dispatcher prog id " +
                                          std::to_string(previous) + ")");
    XDPC_TRY(swap_xdp_link(current.link.get(), kept->get(), current.dispatcher.get()));
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
  auto link = open_pin(dir->link_path());
  if (!link) return 0;
  auto info = xdp_link_info(link->get());
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
  if (attached->prog_id != current.dispatcher_id)
    status.foreign_program = attached->prog_id ? attached->describe() : "";

  std::vector<Counters> counters(kCounterBlocks);
  if (auto counters_fd = open_pin(dir->counters_path()); counters_fd)
    if (auto read = read_counters(counters_fd->get()); read) counters = std::move(*read);
  Fd prog_array;
  if (current.config.backend == Backend::tailcall)
    if (auto fd = open_pin(current.generation_path + "/prog_array"); fd)
      prog_array = std::move(*fd);

  for (size_t slot = 0; slot < current.config.slots.size(); ++slot) {
    const SlotRecord &record = current.config.slots[slot];
    MemberStatus member;
    member.label = record.label;
    member.object_path = record.object_path;
    member.program = record.program;
    member.object_hash = record.object_hash;
    member.priority = record.priority;
    member.proceed_on = record.proceed_on;
    member.prog_id = record.member_prog_id;
    member.counters = subtract(counters[record.counter_index % kCounterBlocks], record.baseline);
    if (current.config.backend == Backend::freplace) {
      if (auto link = open_pin(slot_pin(current.generation_path, slot, "link")); link) {
        bpf_link_info info{};
        uint32_t len = sizeof info;
        if (bpf_obj_get_info_by_fd(link->get(), &info, &len) == 0) {
          member.link_id = info.id;
          member.attached = info.prog_id == record.member_prog_id;
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
