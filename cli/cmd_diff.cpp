// xdpchain diff -f FILE: what `apply -f FILE` would change, program by program (added,
// removed, reordered, changed, unchanged). Exit 0 when every interface matches, 5 when any
// differs, 2 when the manifest has problems.
#include "cli/chain_options.h"
#include "cli/command_registry.h"
#include "cli/report.h"
#include "manifests/delta_text.h"
#include "manifests/load.h"
#include "manifests/netns.h"

#include <iostream>
#include <memory>

namespace xdpchain::cli {

namespace {

using manifests::ChainTarget;

struct DiffOptions {
  std::string file;
};

struct TargetDiff {
  std::vector<std::string> chain; // mode/backend differences
  std::vector<dispatcher::MemberDelta> deltas;
  bool differs = false;
};

// Compares one interface with its document, inside the document's network namespace.
Result<TargetDiff> diff_target(const ChainTarget &target, const dispatcher::ChainOptions &options) {
  std::string frame = target.origin + ": chain '" + target.name + "'";
  auto scope = manifests::NetnsScope::enter(target.netns);
  if (!scope) return std::move(scope).error().wrap(frame);
  TargetDiff diff;
  dispatcher::ChainSpec desired = target.spec;
  auto current = dispatcher::current_spec(target.spec.interface, options);
  if (current) {
    diff.chain = manifests::chain_differences(*current, desired);
    // A running chain cannot swap to another mode; compare its programs in its own mode.
    desired.mode = current->mode;
  } else if (current.error().kind() != ErrorKind::not_found) {
    return std::move(current).error().wrap(frame);
  }
  dispatcher::ApplyOptions dry_run;
  dry_run.dry_run = true;
  auto report = dispatcher::apply(desired, options, dry_run);
  if (!report) return std::move(report).error().wrap(frame);
  diff.deltas = std::move(report->deltas);
  dispatcher::ApplyReport changes;
  changes.deltas = diff.deltas;
  diff.differs = !diff.chain.empty() || manifests::has_changes(changes);
  return diff;
}

void print_diff(const ChainTarget &target, const TargetDiff &diff) {
  std::cout << target.name << ": interface '" << target.spec.interface << "'";
  if (!target.netns.empty()) std::cout << " in network namespace '" << target.netns << "'";
  std::cout << (diff.differs ? ": differs" : ": matches") << "\n";
  for (const auto &line : diff.chain)
    std::cout << "  ! " << line << "\n";
  if (!diff.deltas.empty()) std::cout << manifests::format_deltas(diff.deltas) << "\n";
}

int run_diff(const DiffOptions &opts, const GlobalOptions &global) {
  manifests::LoadOptions load_options;
  load_options.validate.state_root = global.bpffs_root;
  manifests::LoadedManifest loaded = manifests::load_manifest(opts.file, load_options);
  if (!loaded.ok()) {
    std::cerr << manifests::format_all(loaded.diagnostics);
    return kExitUsage;
  }
  dispatcher::ChainOptions options = chain_options(global);
  bool differs = false;
  for (const auto &target : loaded.targets) {
    auto diff = diff_target(target, options);
    if (!diff) return report_error(diff.error(), global);
    print_diff(target, *diff);
    differs = differs || diff->differs;
  }
  return differs ? kExitDiffers : kExitOk;
}

void setup(CLI::App &app, GlobalOptions &global) {
  auto opts = std::make_shared<DiffOptions>();
  auto *sub = app.add_subcommand("diff", "show what `apply` would change, program by program");
  sub->add_option("-f,--filename", opts->file, "manifest (YAML)")->required();
  sub->footer("lines: + added, - removed, ~ reordered, * changed (object, program, priority\n"
              "or proceedOn), = unchanged; ! for the chain's mode or backend.\n"
              "exit: 0 every interface matches, 5 something differs, 2 bad manifest\n\n"
              "example:\n  xdpchain diff -f manifests/examples/edge.yaml");
  sub->callback([opts, &global] { global.exit_code = run_diff(*opts, global); });
}

const RegisterCommand registered{{"diff", 54, setup}};

} // namespace

} // namespace xdpchain::cli
