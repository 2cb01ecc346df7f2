// xdpchain stats IFACE [--interval S]: per-member packet rates, from two counter readings.
#include "cli/chain_options.h"
#include "cli/command_registry.h"
#include "cli/json_output.h"
#include "cli/report.h"

#include <chrono>
#include <cstdio>
#include <iostream>
#include <thread>

namespace xdpchain::cli {

namespace {

struct StatsOptions {
  std::string interface;
  double interval = 1.0;
};

double rate(uint64_t now, uint64_t before, double seconds) {
  return now >= before ? static_cast<double>(now - before) / seconds : 0.0;
}

int run_stats(const StatsOptions &opts, const GlobalOptions &global) {
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

  static const char *verdicts[] = {"aborted", "drop", "pass", "tx", "redirect"};
  nlohmann::json rows = nlohmann::json::array();
  for (const auto &now : after->members) {
    dispatcher::Counters then;
    for (const auto &old : before->members)
      if (old.label == now.label && old.prog_id == now.prog_id) then = old.counters;
    nlohmann::json row = {{"label", now.label},
                          {"entered", rate(now.counters.entered, then.entered, seconds)}};
    for (int a = 0; a < 5; ++a)
      row[verdicts[a]] = rate(now.counters.verdicts[a], then.verdicts[a], seconds);
    rows.push_back(row);
  }
  if (global.json) {
    nlohmann::json out = json_document();
    out["interface"] = opts.interface;
    out["seconds"] = seconds;
    out["programs"] = rows;
    print_json(out);
    return kExitOk;
  }
  std::printf("%s: packets per second over %.1f s\n", opts.interface.c_str(), seconds);
  std::printf("  %-18s %12s", "label", "entered");
  for (const char *v : verdicts)
    std::printf(" %10s", v);
  std::printf("\n");
  for (const auto &row : rows) {
    std::printf("  %-18s %12.1f", row["label"].get<std::string>().c_str(),
                row["entered"].get<double>());
    for (const char *v : verdicts)
      std::printf(" %10.1f", row[v].get<double>());
    std::printf("\n");
  }
  return kExitOk;
}

void setup(CLI::App &app, GlobalOptions &global) {
  auto opts = std::make_shared<StatsOptions>();
  auto *sub = app.add_subcommand("stats", "per-member packet and verdict rates");
  sub->add_option("interface", opts->interface, "network interface")->required();
  sub->add_option("--interval", opts->interval, "seconds between the two readings")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 3600.0));
  sub->footer("examples:\n  xdpchain stats eth0\n  xdpchain stats eth0 --interval 5");
  sub->callback([opts, &global] { global.exit_code = run_stats(*opts, global); });
}

const RegisterCommand registered{{"stats", 35, setup}};

} // namespace

} // namespace xdpchain::cli
