// plan_chain(): every decision and refusal of an apply, from plain data and a ChainView
// (dispatcher/planner.h). No kernel call here.
#include "dispatcher/planner.h"

#include "dispatcher/dispatcher_spec.h"
#include "dispatcher/order.h"

#include <algorithm>
#include <cerrno>
#include <map>
#include <set>

namespace xdpchain::dispatcher {

namespace {

// `auto` keeps the current chain's backend, else probes for freplace. An explicit backend
// is simply tried: when it fails, backend_refused() asks the probe why.
Backend choose_backend(const ChainSpec &desired, const CurrentChain &current, ChainView &view) {
  if (desired.backend != Backend::automatic) return desired.backend;
  if (current.present) return current.config.backend;
  return view.preferred_backend();
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

// A member whose verdicts are all final (an empty continue set) ends the chain for every
// packet. The tail-call and fused backends leave the code after it out (the verifier refuses
// code nothing reaches); the freplace dispatcher cannot, since the kernel wants every
// member's stub called from it, so there such a member must be the last one.
Status check_members_after_final(const std::vector<PlannedMember> &members, Backend backend) {
  if (backend != Backend::freplace) return {};
  for (size_t i = 0; i + 1 < members.size(); ++i) {
    if (members[i].record.proceed_on != 0) continue;
    const size_t after = members.size() - i - 1;
    return Error(ErrorKind::not_supported,
                 "program '" + members[i].record.label +
                     "' ends the chain for every packet (its continue set is empty), and " +
                     std::to_string(after) +
                     (after == 1 ? " program follows" : " programs follow") +
                     " it: the freplace backend cannot leave them out")
        .hint("use --backend tailcall or --backend fused: they run the chain up to that program")
        .hint("or give it a continue set, or remove the programs after it");
  }
  return {};
}

// Opens every member's object (nothing is loaded yet), fills in priorities and proceed sets
// from the spec, the object's XDP_RUN_CONFIG, or the defaults, and decides which members
// can keep the program loaded for the current generation.
Result<std::vector<PlannedMember>> plan_members(const ChainSpec &desired,
                                                const CurrentChain &current, Backend backend,
                                                ChainView &view) {
  std::map<std::string, size_t> current_slot;
  uint32_t next_sequence = 1;
  for (size_t i = 0; i < current.config.slots.size(); ++i) {
    current_slot[current.config.slots[i].label] = i;
    next_sequence = std::max(next_sequence, current.config.slots[i].sequence + 1);
  }
  std::set<std::string> labels;
  std::vector<PlannedMember> planned;
  for (size_t index = 0; index < desired.members.size(); ++index) {
    const MemberSpec &spec = desired.members[index];
    PlannedMember member;
    member.spec_index = index;
    SlotRecord &record = member.record;
    const SlotRecord *old = nullptr;
    if (auto it = current_slot.find(spec.label); !spec.label.empty() && it != current_slot.end())
      old = &current.config.slots[it->second];

    if (!spec.object_path.empty() && !spec.object_bytes.empty())
      return Error(ErrorKind::invalid_argument,
                   "program '" + spec.label + "': give an object file or object bytes, not both");
    // Neither is the read-back of a running member (its program is kept); a new one needs one.
    if (spec.object_path.empty() && spec.object_bytes.empty() && !old)
      return Error(ErrorKind::invalid_argument,
                   "program '" + spec.label + "': no object: give an object file or object bytes");
    auto object = view.open_object(spec, index);
    bool same_file_gone = !object && old && old->object_path == spec.object_path &&
                          old->program == spec.program && object.error().err() == ENOENT;
    if (!object && !same_file_gone) {
      // Without a label yet, the object's own context already names the file.
      if (spec.label.empty()) return std::move(object).error();
      return std::move(object).error().wrap("program '" + spec.label + "'");
    }
    if (object) {
      record.program = object->program;
      record.object_hash = object->hash;
      record.frags = object->frags;
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
    const ext::RunConfig run = object ? object->run : ext::RunConfig{};
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
    } else if (!object) {
      return std::move(object).error();
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

// A new member's block starts from its values now, decoded as the new chain's code will
// write it; a kept member keeps its block and baseline (same backend, so same layout).
Status assign_counters(std::vector<PlannedMember> &members, const CurrentChain &current,
                       Backend backend, ChainView &view) {
  std::set<uint32_t> taken;
  for (const auto &slot : current.config.slots)
    taken.insert(slot.counter_index);
  auto now = view.counter_values(counter_layout(backend));
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
    member.record.baseline = next < now->size() ? (*now)[next] : Counters{};
    taken.insert(next++);
  }
  return {};
}

} // namespace

Result<ChainPlan> plan_chain(const ChainSpec &desired, const CurrentChain &current,
                             const ChainOptions &options, ChainView &view) {
  ChainPlan plan;
  plan.mode = desired.mode;
  if (desired.members.empty()) {
    for (const auto &slot : current.config.slots)
      plan.deltas.push_back({slot.label, MemberChange::removed, ""});
    plan.detach = true;
    plan.changes = current.present;
    return plan;
  }

  if (!current.present) {
    auto attached = view.attached_program();
    if (!attached) return std::move(attached).error();
    plan.foreign = *attached;
    if (plan.foreign.prog_id != 0 && !options.replace_foreign)
      return Error(ErrorKind::conflict, "runs another tool's " + plan.foreign.describe() +
                                            "; xdpchain will not replace it")
          .hint("use --force to replace it");
  } else if (current.config.mode != desired.mode) {
    return Error(ErrorKind::invalid_argument, std::string("the chain runs in ") +
                                                  to_string(current.config.mode) +
                                                  " mode; a swap cannot change the mode")
        .hint("remove the chain first (xdpchain remove " + desired.interface + " --all)");
  }

  plan.backend = choose_backend(desired, current, view);
  XDPC_TRY(check_limits(desired, plan.backend));
  auto members = plan_members(desired, current, plan.backend, view);
  if (!members) return std::move(members).error();
  sort_by_run_order(*members);
  XDPC_TRY(check_members_after_final(*members, plan.backend));
  plan.deltas = compute_deltas(*members, current);
  plan.counting = chain_counters(desired, current);
  XDPC_TRY(check_counters(plan.counting, plan.backend));
  plan.changes = !nothing_changes(plan.deltas, current, plan.backend, desired.mode, plan.counting);
  plan.frags = std::all_of(members->begin(), members->end(),
                           [](const PlannedMember &m) { return m.record.frags; });
  if (plan.changes) XDPC_TRY(assign_counters(*members, current, plan.backend, view));
  plan.members = std::move(*members);
  return plan;
}

} // namespace xdpchain::dispatcher
