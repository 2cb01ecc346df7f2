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

// Rates of every member of `after` since `before` (a member that was replaced starts at 0).
nlohmann::json rates(const dispatcher::ChainStatus &before, const dispatcher::ChainStatus &after,
                     double seconds) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto &now : after.members) {
    dispatcher::Counters then;
    for (const auto &old : before.members)
      if (old.label == now.label && old.prog_id == now.prog_id) then = old.counters;
    nlohmann::json row = {{"label", now.label},
                          {"entered", rate(now.counters.entered, then.entered, seconds)},
                          {"entered_total", now.counters.entered}};
    for (int a = 0; a < 5; ++a)
      row[kVerdicts[a]] = rate(now.counters.verdicts[a], then.verdicts[a], seconds);
    rows.push_back(row);
  }
  return rows;
}

void print_table(const std::string &interface, const nlohmann::json &rows, double seconds,
                 bool totals) {
  std::printf("%s: packets per second over %.1f s\n", interface.c_str(), seconds);
  std::printf("  %-18s %12s", "label", "entered");
  for (const char *v : kVerdicts)
    std::printf(" %10s", v);
  if (totals) std::printf(" %14s", "entered total");
  std::printf("\n");
  for (const auto &row : rows) {
    std::printf("  %-18s %12.1f", row["label"].get<std::string>().c_str(),
                row["entered"].get<double>());
    for (const char *v : kVerdicts)
      std::printf(" %10.1f", row[v].get<double>());
    if (totals) std::printf(" %14llu", static_cast<unsigned long long>(row["entered_total"]));
    std::printf("\n");
  }
}

Result<dispatcher::ChainStatus> read_chain(const std::string &interface,
                                           const dispatcher::ChainOptions &options) {
  auto status = dispatcher::read_status(interface, options);
  if (status && !status->present)
    return Error(ErrorKind::invalid_argument, "interface '" + interface + "': no xdpchain chain");
  return status;
}

// --watch: one table per interval, drawn over the previous one on a terminal (appended
// otherwise), until interrupted or `count` tables were shown.
int watch(const StatsOptions &opts, const GlobalOptions &global) {
  auto options = chain_options(global);
  auto before = read_chain(opts.interface, options);
  if (!before) return report_error(before.error(), global);
  const bool terminal = isatty(STDOUT_FILENO);
  auto last = std::chrono::steady_clock::now();
  for (int shown = 0; opts.count == 0 || shown < opts.count; ++shown) {
    std::this_thread::sleep_for(std::chrono::duration<double>(opts.interval));
    auto after = read_chain(opts.interface, options);
    auto now = std::chrono::steady_clock::now();
    double seconds = std::chrono::duration<double>(now - last).count();
    last = now;
    if (terminal) std::printf("\033[H\033[J"); // cursor home, clear the screen
    if (!after) {
      std::printf("%s (waiting)\n", after.error().str().c_str());
    } else {
      if (!before) before = *after;
      print_table(opts.interface, rates(*before, *after, seconds), seconds, true);
      before = std::move(after);
    }
    if (!terminal) std::printf("\n");
    std::fflush(stdout);
  }
  return kExitOk;
}

int run_stats(const StatsOptions &opts, const GlobalOptions &global) {
  if (opts.watch && global.json)
    return report_error(Error(ErrorKind::invalid_argument, "--watch draws a table: no --json"),
                        global);
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
    for (auto &row : rows)
      row.erase("entered_total");
    nlohmann::json out = json_document();
    out["interface"] = opts.interface;
    out["seconds"] = seconds;
    out["programs"] = rows;
    print_json(out);
    return kExitOk;
  }
  print_table(opts.interface, rows, seconds, false);
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
                    "refresh the table in place every interval, with totals, until Ctrl-C");
  sub->add_option("--count", opts->count, "with --watch: stop after this many tables")
      ->needs(watch_flag)
      ->check(CLI::NonNegativeNumber);
  sub->footer("examples:\n  xdpchain stats eth0\n  xdpchain stats eth0 --interval 5\n"
              "  xdpchain stats eth0 --watch");
  sub->callback([opts, &global] { global.exit_code = run_stats(*opts, global); });
}

const RegisterCommand registered{{"stats", 35, setup}};

} // namespace

} // namespace xdpchain::cli
