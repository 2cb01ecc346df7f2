// xdpchain remove IFACE LABEL|--all: takes a program (or all) out of the chain.
#include "cli/chain_options.h"
#include "cli/command_registry.h"
#include "cli/json_output.h"
#include "cli/report.h"

#include <xdpchain/chain.h>

#include <iostream>

namespace xdpchain::cli {

namespace {

struct RemoveOptions {
  std::string interface;
  std::string label;
  bool all = false;
};

Result<dispatcher::ChainSpec> without(const dispatcher::ChainSpec &current, bool present,
                                      const RemoveOptions &opts) {
  if (!present) return Error(ErrorKind::not_found, "no xdpchain chain to remove from");
  dispatcher::ChainSpec desired = current;
  if (opts.all) {
    desired.members.clear();
    return desired;
  }
  std::string labels;
  for (auto it = desired.members.begin(); it != desired.members.end(); ++it) {
    if (it->label == opts.label) {
      desired.members.erase(it);
      return desired;
    }
    labels += (labels.empty() ? "" : ", ") + it->label;
  }
  return Error(ErrorKind::not_found, "no program labelled '" + opts.label + "'")
      .hint("labels in the chain: " + labels);
}

// `remove IFACE` alone: which labels there are to name.
Error missing_label(const Chain &chain) {
  Error error(ErrorKind::invalid_argument, "name the program to remove (a LABEL), or give --all");
  auto status = chain.status();
  if (!status || !status->present) return error;
  std::string labels;
  for (const auto &member : status->members)
    labels += (labels.empty() ? "" : ", ") + member.label;
  return error.hint("labels in the chain: " + labels);
}

int run_remove(const RemoveOptions &opts, const GlobalOptions &global) {
  if (opts.all && !opts.label.empty())
    return report_error(Error(ErrorKind::invalid_argument, "name one LABEL, or give --all"),
                        global);
  // The global --netns has already moved us into the interface's namespace.
  auto chain = Chain::open(opts.interface, "", chain_options(global));
  if (!chain) return report_error(chain.error(), global);
  if (!opts.all && opts.label.empty()) return report_error(missing_label(*chain), global);
  auto report = chain->edit([&](const dispatcher::ChainSpec &current, bool present) {
    return without(current, present, opts);
  });
  if (!report) return report_error(report.error(), global);
  return print_change(opts.interface, *report, global);
}

void setup(CLI::App &app, GlobalOptions &global) {
  auto opts = std::make_shared<RemoveOptions>();
  auto *sub = app.add_subcommand("remove", "remove a program (or --all) from a chain");
  sub->add_option("interface", opts->interface, "network interface")->required();
  sub->add_option("label", opts->label, "label of the program to remove");
  sub->add_flag("--all", opts->all, "remove every program and detach the chain");
  sub->footer("examples:\n  xdpchain remove veth0 drop_icmp\n  xdpchain remove veth0 --all");
  sub->callback([opts, &global] { global.exit_code = run_remove(*opts, global); });
}

const RegisterCommand registered{{"remove", 20, setup}};

} // namespace

} // namespace xdpchain::cli
