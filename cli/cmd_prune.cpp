// xdpchain prune [--dry-run]: removes the state of chains whose interface is gone.
#include "cli/command_registry.h"
#include "cli/json_output.h"
#include "cli/report.h"
#include "dispatcher/stale_chains.h"

#include <iostream>

namespace xdpchain::cli {

namespace {

struct PruneOptions {
  bool dry_run = false;
};

int run_prune(const PruneOptions &opts, const GlobalOptions &global) {
  auto pruned = dispatcher::prune_stale_chains(global.bpffs_root, opts.dry_run);
  if (!pruned) return report_error(pruned.error(), global);
  if (global.json) {
    nlohmann::json out = json_document();
    out["dry_run"] = opts.dry_run;
    out["pruned"] = nlohmann::json::array();
    for (const auto &chain : *pruned)
      out["pruned"].push_back({{"path", chain.path}, {"reason", chain.reason}});
    print_json(out);
    return kExitOk;
  }
  for (const auto &chain : *pruned)
    std::cout << (opts.dry_run ? "would remove " : "removed ") << chain.path << ": " << chain.reason
              << "\n";
  if (pruned->empty()) std::cout << "nothing to prune\n";
  return kExitOk;
}

void setup(CLI::App &app, GlobalOptions &global) {
  auto opts = std::make_shared<PruneOptions>();
  auto *sub = app.add_subcommand(
      "prune", "remove the state (pinned programs and maps) of chains whose interface is gone");
  sub->add_flag("--dry-run", opts->dry_run, "list what would be removed, remove nothing");
  sub->footer("Deleting an interface or its network namespace leaves the chain's pins behind;\n"
              "they hold memory until pruned. Chains that still run are never touched.\n"
              "examples:\n  xdpchain prune --dry-run\n  xdpchain prune");
  sub->callback([opts, &global] { global.exit_code = run_prune(*opts, global); });
}

const RegisterCommand registered{{"prune", 40, setup}};

} // namespace

} // namespace xdpchain::cli
