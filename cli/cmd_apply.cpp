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

#include <xdpchain/apply.h>

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

std::string headline(const ChainTarget &target) {
  std::string where = "interface '" + target.spec.interface + "'";
  if (!target.netns.empty()) where += " in network namespace '" + target.netns + "'";
  return target.name + ": " + where;
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

// The error, then what became of the interfaces changed before it: each got its previous
// chain back, or (when that failed too) kept the new one, named with the reason. With --json
// all of it is one document: "error", and "restored": [{"interface", "name", "netns",
// "restored", "error"?}].
int report_failure(const std::vector<ChainTarget> &targets, const ApplyAllResult &result,
                   const GlobalOptions &global) {
  const int code = exit_code_for(result.error->kind());
  if (global.json) {
    nlohmann::json out = json_document();
    out["error"] = error_json(*result.error);
    out["restored"] = nlohmann::json::array();
    for (const RestoredTarget &restored : result.restored) {
      const ChainTarget &target = targets[restored.target];
      nlohmann::json entry = {{"interface", target.spec.interface},
                              {"name", target.name},
                              {"netns", target.netns},
                              {"restored", !restored.error}};
      if (restored.error) entry["error"] = error_json(*restored.error);
      out["restored"].push_back(std::move(entry));
    }
    print_json(out);
    return code;
  }
  report_error(*result.error, global);
  for (const RestoredTarget &restored : result.restored) {
    const std::string where = headline(targets[restored.target]);
    if (!restored.error) {
      std::cerr << "xdpchain: " << where << ": previous chain restored\n";
      continue;
    }
    std::cerr << "xdpchain: " << where
              << ": keeps the new chain: putting the previous one back failed: "
              << restored.error->str(global.verbose ? 1 << 20 : 12) << "\n";
  }
  return code;
}

int run_apply(const ApplyCmdOptions &opts, const GlobalOptions &global) {
  manifests::LoadOptions load_options;
  load_options.validate.state_root = global.bpffs_root;
  manifests::LoadedManifest loaded = manifests::load_manifest(opts.file, load_options);
  if (!loaded.ok()) return report_manifest_problems(opts.file, loaded, global);
  auto resolved = manifests::resolve_targets(loaded.targets); // globs, primary: now
  if (!resolved) return report_error(resolved.error().hint("nothing changed"), global);
  loaded.targets = std::move(*resolved);

  ApplyAllOptions options;
  options.chain = chain_options(global);
  options.chain.replace_foreign = opts.force;
  options.dry_run = opts.dry_run;
  ApplyAllResult result = apply_all(loaded.targets, options);

  nlohmann::json out = json_document();
  out["dry_run"] = opts.dry_run;
  out["changes"] = nlohmann::json::array();
  for (size_t i = 0; i < result.reports.size(); ++i)
    print_report(loaded.targets[i], result.reports[i], opts.dry_run, global, out["changes"]);
  if (!result.ok()) return report_failure(loaded.targets, result, global);
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
