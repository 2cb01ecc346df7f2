#include "agent/reconcile_plan.h"

namespace xdpchain::agent {

namespace {

const LinkNow &link_of(const ReconcileInput &input, const std::string &key) {
  static const LinkNow unknown;
  auto it = input.links.find(key);
  return it == input.links.end() ? unknown : it->second;
}

// Why the wanted chain needs an apply now; nothing when it runs as applied.
std::optional<Why> reason_to_apply(const ReconcileInput &input, const WantedChain &wanted,
                                   const LinkNow &link) {
  if (auto failed = input.failed.find(wanted.key); failed != input.failed.end()) {
    bool same =
        failed->second.fingerprint == wanted.fingerprint && failed->second.ifindex == link.ifindex;
    if (same && !input.retry_failed) return std::nullopt;
    if (same) return Why::retry;
  }
  auto applied = input.applied.find(wanted.key);
  if (applied == input.applied.end()) return Why::first;
  if (applied->second.ifindex != link.ifindex) return Why::interface;
  if (applied->second.fingerprint != wanted.fingerprint) return Why::config;
  if (input.objects_changed.count(wanted.key)) return Why::objects;
  if (applied->second.prog_id != link.xdp_prog_id) return Why::drift;
  return std::nullopt;
}

} // namespace

const char *to_string(Why why) {
  switch (why) {
  case Why::first:
    return "start";
  case Why::config:
    return "config change";
  case Why::objects:
    return "object changed";
  case Why::interface:
    return "interface appeared";
  case Why::drift:
    return "drift";
  case Why::retry:
    return "retry";
  }
  return "?";
}

std::vector<ReconcileStep> plan_reconcile(const ReconcileInput &input) {
  std::vector<ReconcileStep> steps;
  std::set<std::string> wanted_keys;
  for (size_t i = 0; i < input.wanted.size(); ++i) {
    const WantedChain &wanted = input.wanted[i];
    wanted_keys.insert(wanted.key);
    const LinkNow &link = link_of(input, wanted.key);
    if (link.state == LinkNow::State::unknown) continue; // cannot tell: change nothing
    if (link.state == LinkNow::State::absent) {
      if (input.applied.count(wanted.key))
        steps.push_back({ReconcileStep::Action::forget, wanted.key, Why::first, i});
      continue;
    }
    if (auto why = reason_to_apply(input, wanted, link))
      steps.push_back({ReconcileStep::Action::apply, wanted.key, *why, i});
  }
  for (const auto &[key, applied] : input.applied) {
    if (wanted_keys.count(key)) continue;
    const LinkNow &link = link_of(input, key);
    if (link.state == LinkNow::State::unknown) continue;
    bool still_there = link.state == LinkNow::State::present && link.ifindex == applied.ifindex;
    steps.push_back({still_there ? ReconcileStep::Action::remove : ReconcileStep::Action::forget,
                     key, Why::first, 0});
  }
  return steps;
}

} // namespace xdpchain::agent
