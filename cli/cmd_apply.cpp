// xdpchain apply -f FILE [--dry-run]: makes every interface named in a manifest run the
// chain the manifest describes, with one atomic swap per interface. A manifest with any
// problem changes nothing; every problem is printed (exit 2).
#include "cli/chain_options.h"
#include "cli/command_registry.h"
#include "cli/json_output.h"
#include "cli/report.h"
#include "manifests/delta_text.h"
#include "manifests/interface_selection.h"
#include "manifests/load.h"
#include "manifests/netns.h"

#include <iostream>
#include <memory>

namespace xdpchain::cli {

namespace {

using manifests::ChainTarget;

struct ApplyCmdOptions {
  std::string file;
  bool dry_run = false;
  bool force = false;
};

std::string frame(const ChainTarget &target) {
  return target.origin + ": chain '" + target.name + "'";
}

std::string headline(const ChainTarget &target) {
  std::string where = "interface '" + target.spec.interface + "'";
  if (!target.netns.empty()) where += " in network namespace '" + target.netns + "'";
  return target.name + ": " + where;
}

// dispatcher::change() under the interface's lock, remembering the chain it replaced.
Result<dispatcher::ApplyReport> apply_target(const ChainTarget &target,
                                             const dispatcher::ChainOptions &options, bool dry_run,
                                             dispatcher::ChainSpec *previous) {
  auto scope = manifests::NetnsScope::enter(target.netns);
  if (!scope) return std::move(scope).error().wrap(frame(target));
  dispatcher::ApplyOptions apply_options;
  apply_options.dry_run = dry_run;
  dispatcher::ChainOptions chain_options = options;
  chain_options.replace_foreign = options.replace_foreign || target.force;
  auto report = dispatcher::change(
      target.spec.interface,
      [&](const dispatcher::ChainSpec &current, bool) -> Result<dispatcher::ChainSpec> {
        if (previous) *previous = current; // no chain: no members, so undoing detaches
        return target.spec;
      },
      chain_options, apply_options);
  if (!report) return std::move(report).error().wrap(frame(target));
  return report;
}

// Text on stdout, or with --json one entry of the document's "changes".
void print_report(const ChainTarget &target, const dispatcher::ApplyReport &report, bool dry_run,
                  const GlobalOptions &global, nlohmann::json &changes) {
  std::string outcome;
  if (dry_run)
    outcome = manifests::has_changes(report) ? "would change (dry run)" : "matches, no change";
  else if (report.swapped)
    outcome = report.status.present
                  ? "swapped (generation " + std::to_string(report.status.generation) + ")"
                  : "chain removed";
  else
    outcome = "unchanged, no swap";
  if (global.json) {
    nlohmann::json change = change_json(target.spec.interface, report);
    change["name"] = target.name;
    change["netns"] = target.netns;
    change["outcome"] = outcome;
    changes.push_back(change);
    return;
  }
  std::cout << headline(target) << ": " << outcome << "\n";
  if (!report.deltas.empty()) std::cout << manifests::format_deltas(report.deltas) << "\n";
}

// Puts back the chains of the interfaces already changed, newest first.
void undo(const std::vector<ChainTarget> &targets,
          const std::vector<dispatcher::ChainSpec> &previous,
          const dispatcher::ChainOptions &options, const GlobalOptions &global) {
  for (size_t i = previous.size(); i-- > 0;) {
    ChainTarget restore = targets[i];
    restore.spec = previous[i];
    auto report = apply_target(restore, options, false, nullptr);
    if (report)
      std::cerr << "xdpchain: " << headline(restore) << ": previous chain restored\n";
    else
      report_error(std::move(report).error().wrap("restoring the previous chain"), global);
  }
}

int run_apply(const ApplyCmdOptions &opts, const GlobalOptions &global) {
  manifests::LoadOptions load_options;
  load_options.validate.state_root = global.bpffs_root;
  manifests::LoadedManifest loaded = manifests::load_manifest(opts.file, load_options);
  if (!loaded.ok()) return report_manifest_problems(opts.file, loaded, global);
  auto resolved = manifests::resolve_targets(loaded.targets); // globs, primary: now
  if (!resolved) return report_error(resolved.error().hint("nothing changed"), global);
  loaded.targets = std::move(*resolved);
  dispatcher::ChainOptions options = chain_options(global);
  options.replace_foreign = opts.force;

  // Plan every interface first: any refusal (another tool's program, a mode change, an
  // object without the program) stops the apply before the first swap.
  std::vector<dispatcher::ApplyReport> plans;
  for (const auto &target : loaded.targets) {
    auto plan = apply_target(target, options, true, nullptr);
    if (!plan) return report_error(plan.error().hint("nothing changed"), global);
    plans.push_back(std::move(*plan));
  }
  nlohmann::json out = json_document();
  out["dry_run"] = opts.dry_run;
  out["changes"] = nlohmann::json::array();
  if (opts.dry_run) {
    for (size_t i = 0; i < plans.size(); ++i)
      print_report(loaded.targets[i], plans[i], true, global, out["changes"]);
    if (global.json) print_json(out);
    return kExitOk;
  }

  std::vector<dispatcher::ChainSpec> previous;
  for (const auto &target : loaded.targets) {
    dispatcher::ChainSpec replaced;
    auto report = apply_target(target, options, false, &replaced);
    if (!report) {
      int code = report_error(report.error(), global);
      undo(loaded.targets, previous, options, global);
      return code;
    }
    previous.push_back(std::move(replaced));
    print_report(target, *report, false, global, out["changes"]);
  }
  if (global.json) print_json(out);
  return kExitOk;
}

void setup(CLI::App &app, GlobalOptions &global) {
  auto opts = std::make_shared<ApplyCmdOptions>();
  auto *sub = app.add_subcommand("apply", "make interfaces run the chains a manifest describes");
  sub->add_option("-f,--filename", opts->file,
                  "manifest (YAML, one document per interface; '-' reads standard input)")
      ->required();
  sub->add_flag("--dry-run", opts->dry_run, "show what would change, change nothing");
  sub->add_flag("--force", opts->force, "replace another tool's XDP program on an interface");
  sub->footer("Every document is validated before anything changes; each interface then gets\n"
              "its new chain in one atomic swap (none when it already matches). If a later\n"
              "interface fails, the interfaces changed before it get their old chains back.\n"
              "Schema: manifests/schema.md.\n\n"
              "examples:\n  xdpchain apply -f manifests/examples/edge.yaml --dry-run\n"
              "  xdpchain apply -f manifests/examples/two-interfaces.yaml");
  sub->callback([opts, &global] { global.exit_code = run_apply(*opts, global); });
}

const RegisterCommand registered{{"apply", 52, setup}};

} // namespace

} // namespace xdpchain::cli
