#include "cli/chain_options.h"

#include "cli/json_output.h"
#include "cli/report.h"
#include "compiler/object_cache.h"

#include <cctype>
#include <cstdio>
#include <iostream>
#include <sstream>

namespace xdpchain::cli {

using namespace dispatcher;

ChainOptions chain_options(const GlobalOptions &global) {
  ChainOptions options;
  options.bpffs_root = global.bpffs_root;
  options.verbose = global.verbose;
  options.lock_wait =
      std::chrono::milliseconds(static_cast<long long>(global.lock_wait_seconds * 1000));
  return options;
}

Result<Mode> parse_mode(const std::string &name) {
  std::string lower;
  for (char c : name)
    lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "native" || lower == "drv") return Mode::native;
  if (lower == "generic" || lower == "skb") return Mode::generic;
  if (lower == "hw" || lower == "offload")
    return Error(ErrorKind::not_supported, "mode '" + name + "': hardware offload is not supported")
        .hint("xdpchain runs chains in native (driver) or generic (skb) mode");
  return Error(ErrorKind::invalid_argument, "unknown mode '" + name + "'")
      .hint("use native (drv) or generic (skb)");
}

const std::map<std::string, Backend> &backend_names() {
  static const std::map<std::string, Backend> names{{"auto", Backend::automatic},
                                                    {"freplace", Backend::freplace},
                                                    {"tailcall", Backend::tailcall},
                                                    {"fused", Backend::fused}};
  return names;
}

Result<ActionMask> parse_actions(const std::string &list) {
  ActionMask mask = 0;
  std::stringstream in(list);
  for (std::string item; std::getline(in, item, ',');) {
    if (item.empty()) continue;
    int action = action_from_string(item);
    if (action < 0)
      return Error(ErrorKind::invalid_argument, "unknown XDP action '" + item + "'")
          .hint("use aborted, drop, pass, tx, redirect (or XDP_PASS style)");
    mask |= 1u << action;
  }
  return mask;
}

namespace {

nlohmann::json actions_json(ActionMask mask) {
  nlohmann::json list = nlohmann::json::array();
  std::stringstream in(actions_to_string(mask));
  for (std::string item; std::getline(in, item, ',');)
    list.push_back(item);
  return list;
}

// null values when the chain does not count: no number rather than a zero that is not one.
nlohmann::json counters_json(const Counters &c, bool counting) {
  nlohmann::json out = {{"entered", c.entered},  {"aborted", c.verdicts[0]},
                        {"drop", c.verdicts[1]}, {"pass", c.verdicts[2]},
                        {"tx", c.verdicts[3]},   {"redirect", c.verdicts[4]},
                        {"other", c.other}};
  if (!counting)
    for (auto &value : out)
      value = nullptr;
  return out;
}

nlohmann::json maps_json(const std::vector<MemberMap> &maps) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto &map : maps)
    list.push_back({{"name", map.name}, {"id", map.id}, {"pin", map.pin}});
  return list;
}

// The .lisp source a member was compiled from (xdpchain's object cache knows it), else the
// object: what the user named.
std::string shown_path(const std::string &object_path) {
  return compiler::cached_object_source(object_path).value_or(object_path);
}

nlohmann::json source_json(const std::string &object_path) {
  auto source = compiler::cached_object_source(object_path);
  return source ? nlohmann::json(*source) : nlohmann::json(nullptr);
}

// A counter cell of the table: the number, or "-" when the chain does not count.
std::string count_cell(uint64_t value, bool counting) {
  return counting ? std::to_string(value) : "-";
}

} // namespace

nlohmann::json status_json(const ChainStatus &status) {
  nlohmann::json programs = nlohmann::json::array();
  for (size_t i = 0; i < status.members.size(); ++i) {
    const MemberStatus &m = status.members[i];
    programs.push_back({{"position", i},
                        {"label", m.label},
                        {"program", m.program},
                        {"object", m.object_path},
                        {"source", source_json(m.object_path)},
                        {"priority", m.priority},
                        {"proceed_on", actions_json(m.proceed_on)},
                        {"prog_id", m.prog_id},
                        {"entry_prog_id", m.entry_prog_id},
                        {"link_id", m.link_id},
                        {"attached", m.attached},
                        {"counters", counters_json(m.counters, status.counters)},
                        {"maps", maps_json(m.maps)}});
  }
  return {{"interface", status.interface},
          {"ifindex", status.ifindex},
          {"present", status.present},
          {"mode", status.present ? to_string(status.mode) : ""},
          {"backend", status.present ? to_string(status.backend) : ""},
          {"dispatcher_prog_id", status.dispatcher_prog_id},
          {"xdp_link_id", status.xdp_link_id},
          {"generation", status.generation},
          {"frags", status.frags},
          {"counters", status.counters},
          {"fused_optimiser", status.fused_optimiser},
          {"foreign_program", status.foreign_program},
          {"programs", programs}};
}

nlohmann::json change_json(const std::string &interface, const ApplyReport &report) {
  static const char *names[] = {"added", "removed", "reordered", "changed", "unchanged"};
  nlohmann::json deltas = nlohmann::json::array();
  for (const auto &delta : report.deltas)
    deltas.push_back({{"label", delta.label},
                      {"change", names[static_cast<int>(delta.change)]},
                      {"detail", delta.detail}});
  return {{"interface", interface}, {"swapped", report.swapped}, {"deltas", deltas}};
}

std::string status_table(const ChainStatus &status, bool with_maps) {
  std::ostringstream out;
  if (!status.present) {
    out << status.interface << ": no xdpchain chain";
    if (!status.foreign_program.empty()) out << "; runs another tool's " << status.foreign_program;
    out << "\n";
    return out.str();
  }
  out << status.interface << ": " << status.members.size()
      << (status.members.size() == 1 ? " program, " : " programs, ") << to_string(status.mode)
      << " mode, " << to_string(status.backend) << " backend, dispatcher id "
      << status.dispatcher_prog_id << " (generation " << status.generation << "), link id "
      << status.xdp_link_id << (status.frags ? ", frags" : "")
      << (status.counters ? "" : ", counters off") << "\n";
  if (!status.foreign_program.empty())
    out << "  warning: the interface runs " << status.foreign_program << "\n";
  char line[512];
  std::snprintf(line, sizeof line, "  %-3s %-18s %5s %-16s %7s %10s %8s %8s %8s %6s %8s %6s  %s\n",
                "#", "label", "prio", "proceed-on", "prog", "entered", "aborted", "drop", "pass",
                "tx", "redirect", "other", "object");
  out << line;
  for (size_t i = 0; i < status.members.size(); ++i) {
    const MemberStatus &m = status.members[i];
    const Counters &c = m.counters;
    const bool n = status.counters;
    std::snprintf(line, sizeof line,
                  "  %-3zu %-18s %5d %-16s %7u %10s %8s %8s %8s %6s %8s %6s  %s%s\n", i,
                  m.label.c_str(), m.priority, actions_to_string(m.proceed_on).c_str(), m.prog_id,
                  count_cell(c.entered, n).c_str(), count_cell(c.verdicts[0], n).c_str(),
                  count_cell(c.verdicts[1], n).c_str(), count_cell(c.verdicts[2], n).c_str(),
                  count_cell(c.verdicts[3], n).c_str(), count_cell(c.verdicts[4], n).c_str(),
                  count_cell(c.other, n).c_str(), shown_path(m.object_path).c_str(),
                  m.attached ? "" : "  (NOT ATTACHED)");
    out << line;
    if (!with_maps) continue;
    for (const auto &map : m.maps)
      out << "        map " << map.name << " id " << map.id
          << (map.pin.empty() ? "" : ", pinned at " + map.pin) << "\n";
  }
  return out.str();
}

int report_manifest_problems(const std::string &file, const manifests::LoadedManifest &loaded,
                             const GlobalOptions &global) {
  std::vector<std::string> problems;
  // The hint on the problem's own line: "...: unknown key; did you mean 'priority'?"
  for (const auto &diagnostic : loaded.diagnostics)
    problems.push_back(manifests::format(diagnostic) +
                       (diagnostic.hint.empty() ? "" : "; " + diagnostic.hint));
  size_t n = problems.size();
  return report_message((file == "-" ? std::string("<stdin>") : file) + ": " + std::to_string(n) +
                            (n == 1 ? " problem" : " problems") + "; nothing changed",
                        kExitUsage, global, problems);
}

int print_change(const std::string &interface, const ApplyReport &report,
                 const GlobalOptions &global) {
  if (global.json) {
    nlohmann::json out = json_document();
    // json::array, not braces: `{one_json}` is a copy of it for some compilers (clang).
    out["changes"] = nlohmann::json::array({change_json(interface, report)});
    out["chains"] = nlohmann::json::array({status_json(report.status)});
    print_json(out);
    return kExitOk;
  }
  std::cout << describe_deltas(report);
  if (report.status.present) std::cout << status_table(report.status);
  return kExitOk;
}

std::string describe_deltas(const ApplyReport &report) {
  static const char *names[] = {"added", "removed", "reordered", "changed", "unchanged"};
  std::ostringstream out;
  for (const auto &delta : report.deltas) {
    out << "  " << names[static_cast<int>(delta.change)] << " " << delta.label;
    if (!delta.detail.empty()) out << " (" << delta.detail << ")";
    out << "\n";
  }
  if (!report.swapped) out << "  no change on the interface\n";
  return out.str();
}

} // namespace xdpchain::cli
