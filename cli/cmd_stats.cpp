// xdpchain stats IFACE [--interval S] [--watch [--count N]]: per-member packet rates, from
// two counter readings; with --watch, a table refreshed in place every interval.
#include "cli/chain_options.h"
#include "cli/command_registry.h"
#include "cli/json_output.h"
#include "cli/report.h"

#include <chrono>
#include <cstdio>
#include <iostream>
#include <thread>
#include <unistd.h>

namespace xdpchain::cli {

namespace {

struct StatsOptions {
  std::string interface;
  double interval = 1.0;
  bool watch = false;
  int count = 0; // --watch: refreshes before exiting; 0 = until interrupted
};

double rate(uint64_t now, uint64_t before, double seconds) {
  return now >= before ? static_cast<double>(now - before) / seconds : 0.0;
}

const char *const kVerdicts[] = {"aborted", "drop", "pass", "tx", "redirect"};

// Rates of every member of `after` since `before` (a member that was replaced starts at 0),
// and its entered_total: the packets it has seen since it joined the chain. null values
// when the chain does not count (fused backend with --counters off).
nlohmann::json rates(const dispatcher::ChainStatus &before, const dispatcher::ChainStatus &after,
                     double seconds) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto &now : after.members) {
    dispatcher::Counters then;
    for (const auto &old : before.members)
      if (old.label == now.label && old.prog_id == now.prog_id) then = old.counters;
    nlohmann::json row = {{"label", now.label}};
    auto put = [&](const char *key, uint64_t value, uint64_t previous) {
      row[key] = after.counters ? nlohmann::json(rate(value, previous, seconds)) : nullptr;
    };
    put("entered", now.counters.entered, then.entered);
    for (int a = 0; a < 5; ++a)
      put(kVerdicts[a], now.counters.verdicts[a], then.verdicts[a]);
    put("other", now.counters.other, then.other);
    row["entered_total"] = after.counters ? nlohmann::json(now.counters.entered) : nullptr;
    rows.push_back(row);
  }
  return rows;
}

// A rate, or "-" when the chain does not count.
std::string cell(const nlohmann::json &value) {
  if (value.is_null()) return "-";
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", value.get<double>());
  return text;
}

void print_table(const std::string &interface, const nlohmann::json &rows, double seconds,
                 bool totals, bool counting) {
  std::printf("%s: packets per second over %.1f s%s\n", interface.c_str(), seconds,
              counting ? "" : " (counters off: no counts)");
  std::printf("  %-18s %12s", "label", "entered");
  for (const char *v : kVerdicts)
    std::printf(" %10s", v);
  std::printf(" %8s", "other");
  if (totals) std::printf(" %14s", "total entered");
  std::printf("\n");
  for (const auto &row : rows) {
    std::printf("  %-18s %12s", row["label"].get<std::string>().c_str(),
                cell(row["entered"]).c_str());
    for (const char *v : kVerdicts)
      std::printf(" %10s", cell(row[v]).c_str());
    std::printf(" %8s", cell(row["other"]).c_str());
    if (totals)
      std::printf(" %14s", row["entered_total"].is_null()
                               ? "-"
                               : std::to_string(row["entered_total"].get<uint64_t>()).c_str());
    std::printf("\n");
  }
  if (totals) std::printf("  (total entered: packets since the program joined the chain)\n");
}

// One interval's JSON document (stats --json; with --watch, one per line per interval).
nlohmann::json stats_document(const std::string &interface, const nlohmann::json &rows,
                              double seconds) {
  nlohmann::json out = json_document();
  out["interface"] = interface;
  out["seconds"] = seconds;
  out["programs"] = rows;
  return out;
}

Result<dispatcher::ChainStatus> read_chain(const std::string &interface,
                                           const dispatcher::ChainOptions &options) {
  auto status = dispatcher::read_status(interface, options);
  if (status && !status->present)
    return Error(ErrorKind::invalid_argument, "interface '" + interface + "': no xdpchain chain");
  return status;
}

// --watch: one table per interval, drawn over the previous one on a terminal (appended
// otherwise), or with --json one JSON document per interval on a line of its own, until
// interrupted or `count` intervals were shown.
int watch(const StatsOptions &opts, const GlobalOptions &global) {
  auto options = chain_options(global);
  auto before = read_chain(opts.interface, options);
  if (!before) return report_error(before.error(), global);
  const bool terminal = !global.json && isatty(STDOUT_FILENO);
  auto last = std::chrono::steady_clock::now();
  for (int shown = 0; opts.count == 0 || shown < opts.count; ++shown) {
    std::this_thread::sleep_for(std::chrono::duration<double>(opts.interval));
    auto after = read_chain(opts.interface, options);
    auto now = std::chrono::steady_clock::now();
    double seconds = std::chrono::duration<double>(now - last).count();
    last = now;
    if (terminal) std::printf("\033[H\033[J"); // cursor home, clear the screen
    if (!after) {
      if (global.json) {
        nlohmann::json out = json_document();
        out["interface"] = opts.interface;
        out["error"] = error_json(after.error());
        std::printf("%s\n", out.dump().c_str());
      } else {
        std::printf("%s (waiting)\n", after.error().str().c_str());
      }
    } else {
      if (!before) before = *after;
      nlohmann::json rows = rates(*before, *after, seconds);
      if (global.json)
        std::printf("%s\n", stats_document(opts.interface, rows, seconds).dump().c_str());
      else
        print_table(opts.interface, rows, seconds, true, after->counters);
      before = std::move(after);
    }
    if (!terminal && !global.json) std::printf("\n");
    std::fflush(stdout);
  }
  return kExitOk;
}

int run_stats(const StatsOptions &opts, const GlobalOptions &global) {
  if (opts.watch) return watch(opts, global);
  auto options = chain_options(global);
  auto before = dispatcher::read_status(opts.interface, options);
  if (!before) return report_error(before.error(), global);
  if (!before->present)
    return report_error(
        Error(ErrorKind::not_found, "no xdpchain chain").wrap("interface '" + opts.interface + "'"),
        global);
  auto start = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(opts.interval));
  auto after = dispatcher::read_status(opts.interface, options);
  if (!after) return report_error(after.error(), global);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  nlohmann::json rows = rates(*before, *after, seconds);
  if (global.json) {
    print_json(stats_document(opts.interface, rows, seconds));
    return kExitOk;
  }
  print_table(opts.interface, rows, seconds, false, after->counters);
  return kExitOk;
}

void setup(CLI::App &app, GlobalOptions &global) {
  auto opts = std::make_shared<StatsOptions>();
  auto *sub = app.add_subcommand("stats", "per-member packet and verdict rates");
  sub->add_option("interface", opts->interface, "network interface")->required();
  sub->add_option("--interval", opts->interval, "seconds between the two readings")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 3600.0));
  auto *watch_flag =
      sub->add_flag("--watch", opts->watch,
                    "refresh the table in place every interval, with totals, until Ctrl-C "
                    "(with --json: one JSON document per interval, one per line)");
  sub->add_option("--count", opts->count, "with --watch: stop after this many intervals")
      ->needs(watch_flag)
      ->check(CLI::NonNegativeNumber);
  sub->footer("examples:\n  xdpchain stats eth0\n  xdpchain stats eth0 --interval 5\n"
              "  xdpchain stats eth0 --watch");
  sub->callback([opts, &global] { global.exit_code = run_stats(*opts, global); });
}

const RegisterCommand registered{{"stats", 35, setup}};

} // namespace

} // namespace xdpchain::cli
