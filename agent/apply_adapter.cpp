#include "agent/apply_adapter.h"

#include "manifests/load.h"
#include "manifests/netns.h"

namespace xdpchain::agent {

namespace {

std::string frame(const ChainTarget &target) {
  return target.origin + ": chain '" + target.name + "'";
}

Result<dispatcher::ApplyReport> change_to(const ChainTarget &target,
                                          const dispatcher::ChainSpec &desired,
                                          const dispatcher::ChainOptions &options) {
  auto scope = manifests::NetnsScope::enter(target.netns);
  if (!scope) return std::move(scope).error().wrap(frame(target));
  dispatcher::ChainOptions chain_options = options;
  chain_options.replace_foreign = options.replace_foreign || target.force;
  auto report = dispatcher::change(
      desired.interface,
      [&](const dispatcher::ChainSpec &, bool) -> Result<dispatcher::ChainSpec> { return desired; },
      chain_options);
  if (!report) return std::move(report).error().wrap(frame(target));
  return report;
}

} // namespace

LoadedFile load_file(const std::string &path) {
  manifests::LoadOptions options;
  options.validate.netns_exists = [](const std::string &) { return true; };
  options.validate.interface_exists = [](const std::string &, const std::string &) -> Result<bool> {
    return true;
  };
  manifests::LoadedManifest loaded = manifests::load_manifest(path, options);
  return {std::move(loaded.targets), std::move(loaded.diagnostics)};
}

Result<dispatcher::ApplyReport> apply_target(const ChainTarget &target,
                                             const dispatcher::ChainOptions &options) {
  return change_to(target, target.spec, options);
}

Result<dispatcher::ApplyReport> remove_target(const ChainTarget &target,
                                              const dispatcher::ChainOptions &options) {
  dispatcher::ChainSpec empty = target.spec;
  empty.members.clear();
  return change_to(target, empty, options);
}

Result<dispatcher::ChainStatus> target_status(const ChainTarget &target,
                                              const dispatcher::ChainOptions &options) {
  auto scope = manifests::NetnsScope::enter(target.netns);
  if (!scope) return std::move(scope).error().wrap(frame(target));
  return dispatcher::read_status(target.spec.interface, options);
}

bool interface_present(const ChainTarget &target) {
  auto index = manifests::interface_index(target.spec.interface, target.netns);
  return index && *index != 0;
}

std::string describe(const ChainTarget &target) {
  std::string text = "chain '" + target.name + "' on interface '" + target.spec.interface + "'";
  if (!target.netns.empty()) text += " in network namespace '" + target.netns + "'";
  return text;
}

} // namespace xdpchain::agent
