#include "manifests/delta_text.h"

#include <algorithm>

namespace xdpchain::manifests {

namespace {

char change_symbol(dispatcher::MemberChange change) {
  switch (change) {
  case dispatcher::MemberChange::added:
    return '+';
  case dispatcher::MemberChange::removed:
    return '-';
  case dispatcher::MemberChange::reordered:
    return '~';
  case dispatcher::MemberChange::changed:
    return '*';
  default:
    return '=';
  }
}

std::string pad(std::string text, size_t width) {
  if (text.size() < width) text.append(width - text.size(), ' ');
  return text;
}

} // namespace

const char *change_name(dispatcher::MemberChange change) {
  switch (change) {
  case dispatcher::MemberChange::added:
    return "added";
  case dispatcher::MemberChange::removed:
    return "removed";
  case dispatcher::MemberChange::reordered:
    return "reordered";
  case dispatcher::MemberChange::changed:
    return "changed";
  default:
    return "unchanged";
  }
}

std::string format_deltas(const std::vector<dispatcher::MemberDelta> &deltas) {
  size_t width = 0;
  for (const auto &delta : deltas)
    width = std::max(width, delta.label.size());
  std::string out;
  for (const auto &delta : deltas) {
    if (!out.empty()) out += "\n";
    std::string line = std::string("  ") + change_symbol(delta.change) + " " +
                       pad(change_name(delta.change), 10) + pad(delta.label, width);
    if (!delta.detail.empty()) line += "  " + delta.detail;
    while (!line.empty() && line.back() == ' ')
      line.pop_back();
    out += line;
  }
  return out;
}

std::vector<std::string> chain_differences(const dispatcher::ChainSpec &current,
                                           const dispatcher::ChainSpec &desired) {
  std::vector<std::string> out;
  if (current.mode != desired.mode)
    out.push_back(std::string("mode: ") + dispatcher::to_string(current.mode) + " -> " +
                  dispatcher::to_string(desired.mode));
  if (desired.backend != dispatcher::Backend::automatic && current.backend != desired.backend)
    out.push_back(std::string("backend: ") + dispatcher::to_string(current.backend) + " -> " +
                  dispatcher::to_string(desired.backend));
  const bool counting = current.counters.value_or(true);
  if (desired.counters && *desired.counters != counting)
    out.push_back(std::string("counters: ") + (counting ? "on" : "off") + " -> " +
                  (*desired.counters ? "on" : "off"));
  return out;
}

bool has_changes(const dispatcher::ApplyReport &report) {
  return report.swapped ||
         std::any_of(report.deltas.begin(), report.deltas.end(), [](const auto &delta) {
           return delta.change != dispatcher::MemberChange::unchanged;
         });
}

} // namespace xdpchain::manifests
