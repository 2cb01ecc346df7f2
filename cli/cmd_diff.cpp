// xdpchain diff -f FILE: what `apply -f FILE` would change, program by program (added,
// removed, reordered, changed, unchanged). Exit 0 when every interface matches, 5 when any
// differs, 2 when the manifest has problems.
#include "cli/chain_options.h"
#include "cli/command_registry.h"
#include "cli/json_output.h"
#include "cli/report.h"
#include "common/netns.h"
#include "manifests/delta_text.h"
#include "manifests/interface_selection.h"
#include "manifests/load.h"

#include <cerrno>
#include <cstdlib>
#include <filesystem>
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
  auto scope = NetnsScope::enter(target.netns);
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

nlohmann::json diff_json(const ChainTarget &target, const TargetDiff &diff) {
  dispatcher::ApplyReport report;
  report.deltas = diff.deltas;
  nlohmann::json out = change_json(target.spec.interface, report);
  out.erase("swapped");
  out["name"] = target.name;
  out["netns"] = target.netns;
  out["differs"] = diff.differs;
  out["chain"] = diff.chain;
  return out;
}

void print_diff(const ChainTarget &target, const TargetDiff &diff) {
  std::cout << target.name << ": interface '" << target.spec.interface << "'";
  if (!target.netns.empty()) std::cout << " in network namespace '" << target.netns << "'";
  std::cout << (diff.differs ? ": differs" : ": matches") << "\n";
  for (const auto &line : diff.chain)
    std::cout << "  ! " << line << "\n";
  if (!diff.deltas.empty()) std::cout << manifests::format_deltas(diff.deltas) << "\n";
}

// A private directory for objects compiled from sources that the cache does not hold yet:
// `diff` reads, it never writes the object cache. Removed with everything in it.
class StagingDir {
public:
  StagingDir() {
    std::string pattern = std::filesystem::temp_directory_path().string() + "/xdpchain-diff-XXXXXX";
    if (char *made = mkdtemp(pattern.data())) path_ = made;
  }
  ~StagingDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  StagingDir(const StagingDir &) = delete;
  StagingDir &operator=(const StagingDir &) = delete;
  const std::string &path() const { return path_; }

private:
  std::string path_;
};

int run_diff(const DiffOptions &opts, const GlobalOptions &global) {
  StagingDir staging;
  if (staging.path().empty())
    return report_error(Error::from_errno("diff: create a temporary directory", errno), global);
  manifests::LoadOptions load_options;
  load_options.convert.staging_dir = staging.path();
  load_options.validate.state_root = global.bpffs_root;
  manifests::LoadedManifest loaded = manifests::load_manifest(opts.file, load_options);
  if (!loaded.ok()) return report_manifest_problems(opts.file, loaded, global);
  auto resolved = manifests::resolve_targets(loaded.targets); // globs, primary: now
  if (!resolved) return report_error(resolved.error().hint("nothing changed"), global);
  loaded.targets = std::move(*resolved);
  dispatcher::ChainOptions options = chain_options(global);
  bool differs = false;
  nlohmann::json out = json_document();
  out["changes"] = nlohmann::json::array();
  for (const auto &target : loaded.targets) {
    auto diff = diff_target(target, options);
    if (!diff) return report_error(diff.error(), global);
    if (global.json)
      out["changes"].push_back(diff_json(target, *diff));
    else
      print_diff(target, *diff);
    differs = differs || diff->differs;
  }
  if (global.json) {
    out["differs"] = differs;
    print_json(out);
  }
  return differs ? kExitDiffers : kExitOk;
}

void setup(CLI::App &app, GlobalOptions &global) {
  auto opts = std::make_shared<DiffOptions>();
  auto *sub = app.add_subcommand("diff", "show what `apply` would change, program by program");
  sub->add_option("-f,--filename", opts->file, "manifest (YAML; '-' reads standard input)")
      ->required();
  sub->footer("lines: + added, - removed, ~ reordered, * changed (object, program, priority\n"
              "or proceedOn), = unchanged; ! for the chain's mode or backend.\n"
              "exit: 0 every interface matches, 5 something differs, 2 bad manifest\n\n"
              "example:\n  xdpchain diff -f manifests/examples/edge.yaml");
  sub->callback([opts, &global] { global.exit_code = run_diff(*opts, global); });
}

const RegisterCommand registered{{"diff", 54, setup}};

} // namespace

} // namespace xdpchain::cli
