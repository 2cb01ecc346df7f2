// xdpchain set IFACE LABEL [--priority N] [--proceed-on LIST]: changes one member's run
// order or continue set in one swap; the member keeps its program, maps and counters.
#include "cli/chain_options.h"
#include "cli/command_registry.h"
#include "cli/json_output.h"
#include "cli/report.h"

#include <xdpchain/chain.h>

#include <iostream>
#include <optional>

namespace xdpchain::cli {

namespace {

struct SetOptions {
  std::string interface;
  std::string label;
  std::optional<int> priority;
  std::optional<std::string> proceed_on;
};

Result<dispatcher::ChainSpec> with_settings(const dispatcher::ChainSpec &current, bool present,
                                            const SetOptions &opts,
                                            std::optional<dispatcher::ActionMask> proceed_on) {
  if (!present) return Error(ErrorKind::not_found, "no xdpchain chain to change");
  dispatcher::ChainSpec desired = current;
  std::string labels;
  for (auto &member : desired.members) {
    if (member.label == opts.label) {
      if (opts.priority) member.priority = *opts.priority;
      if (proceed_on) member.proceed_on = *proceed_on;
      return desired;
    }
    labels += (labels.empty() ? "" : ", ") + member.label;
  }
  return Error(ErrorKind::not_found, "no program labelled '" + opts.label + "'")
      .hint("labels in the chain: " + labels);
}

int run_set(const SetOptions &opts, const GlobalOptions &global) {
  if (!opts.priority && !opts.proceed_on)
    return report_error(
        Error(ErrorKind::invalid_argument, "nothing to set: give --priority or --proceed-on"),
        global);
  std::optional<dispatcher::ActionMask> proceed_on;
  if (opts.proceed_on) {
    auto mask = parse_actions(*opts.proceed_on);
    if (!mask) return report_error(mask.error(), global);
    proceed_on = *mask;
  }
  // The global --netns has already moved us into the interface's namespace.
  auto chain = Chain::open(opts.interface, "", chain_options(global));
  if (!chain) return report_error(chain.error(), global);
  auto report = chain->edit([&](const dispatcher::ChainSpec &current, bool present) {
    return with_settings(current, present, opts, proceed_on);
  });
  if (!report) return report_error(report.error(), global);
  return print_change(opts.interface, *report, global);
}

void setup(CLI::App &app, GlobalOptions &global) {
  auto opts = std::make_shared<SetOptions>();
  auto *sub = app.add_subcommand(
      "set", "change a program's priority or continue set (keeps its program and counters)");
  sub->add_option("interface", opts->interface, "network interface")->required();
  sub->add_option("label", opts->label, "label of the program to change")->required();
  sub->add_option("--priority", opts->priority, "lower runs first (0..1000)");
  sub->add_option("--proceed-on", opts->proceed_on,
                  "verdicts that pass the packet on, e.g. pass,drop (\"\": every verdict is "
                  "final)");
  sub->footer("examples:\n  xdpchain set veth0 drop_icmp --priority 5\n"
              "  xdpchain set veth0 udp --proceed-on pass,drop");
  sub->callback([opts, &global] { global.exit_code = run_set(*opts, global); });
}

const RegisterCommand registered{{"set", 25, setup}};

} // namespace

} // namespace xdpchain::cli
