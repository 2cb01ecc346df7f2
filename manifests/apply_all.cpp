// apply_all(): the check / apply / undo transaction across interfaces (include/xdpchain/
// apply.h). `xdpchain apply` is a thin shell over it.
#include <xdpchain/apply.h>

#include "common/netns.h"
#include "dispatcher/chain.h"

#include <cerrno>

namespace xdpchain {

namespace {

std::string frame(const ChainTarget &target) {
  return target.origin + ": chain '" + target.name + "'";
}

// dispatcher::change() in the target's network namespace, under the interface's lock,
// remembering the chain it replaced in `previous` (no chain: no members).
Result<ApplyReport> apply_target(const ChainTarget &target, const ChainSpec &desired,
                                 const ChainOptions &options,
                                 const dispatcher::ApplyOptions &apply_options,
                                 ChainSpec *previous) {
  auto scope = NetnsScope::enter(target.netns);
  if (!scope) return std::move(scope).error().wrap(frame(target));
  ChainOptions chain_options = options;
  chain_options.replace_foreign = options.replace_foreign || target.force;
  auto report = dispatcher::change(
      target.spec.interface,
      [&](const ChainSpec &current, bool) -> Result<ChainSpec> {
        if (previous) *previous = current;
        return desired;
      },
      chain_options, apply_options);
  if (!report) return std::move(report).error().wrap(frame(target));
  return report;
}

// What a later failure needs to put one interface back.
struct Applied {
  ChainSpec previous_spec;
  ApplyReport report;
};

// The exact previous generation when the apply kept one; when the new document removed the
// chain (nothing kept) or the kept generation is gone, the previous chain is applied again
// from its spec.
Status undo_target(const ChainTarget &target, const Applied &applied, const ChainOptions &options) {
  if (!applied.report.swapped) return {};
  if (applied.report.status.present || applied.report.previous_dispatcher_prog_id == 0) {
    auto scope = NetnsScope::enter(target.netns);
    if (!scope) return std::move(scope).error().wrap(frame(target));
    Status restored = dispatcher::restore_previous(
        target.spec.interface, applied.report.previous_dispatcher_prog_id, options);
    if (restored) return {};
    // The kept generation can be gone (a writer between the swap and this undo collects
    // garbage): the previous chain is then rebuilt from its spec, with new program ids. Any
    // other failure (the chain removed meanwhile, the lock, the kernel) is reported as it is:
    // rebuilding would undo another writer's change.
    if (restored.error().err() != ENOENT) return std::move(restored).error();
  }
  auto report = apply_target(target, applied.previous_spec, options, {}, nullptr);
  if (!report) return std::move(report).error();
  return {};
}

void release_target(const ChainTarget &target, const ChainOptions &options) {
  auto scope = NetnsScope::enter(target.netns);
  if (scope) (void)dispatcher::release_previous(target.spec.interface, options);
}

} // namespace

ApplyAllResult apply_all(const std::vector<ChainTarget> &targets, const ApplyAllOptions &options) {
  ApplyAllResult result;
  // Plan every interface first: any refusal stops the apply before the first swap. A dry
  // run is this step alone.
  dispatcher::ApplyOptions plan_only;
  plan_only.dry_run = true;
  for (size_t i = 0; i < targets.size(); ++i) {
    auto plan = apply_target(targets[i], targets[i].spec, options.chain, plan_only, nullptr);
    if (!plan) {
      result.error = std::move(plan).error();
      result.error->hint("nothing changed");
      result.failed_target = i;
      result.reports.clear();
      return result;
    }
    result.reports.push_back(std::move(*plan));
  }
  if (options.dry_run) return result;

  result.reports.clear();
  dispatcher::ApplyOptions keep;
  keep.keep_previous = true;
  std::vector<Applied> applied;
  for (size_t i = 0; i < targets.size(); ++i) {
    Applied step;
    auto report =
        apply_target(targets[i], targets[i].spec, options.chain, keep, &step.previous_spec);
    if (!report) {
      result.error = std::move(report).error();
      result.failed_target = i;
      result.changed_nothing = applied.empty();
      for (size_t j = applied.size(); j-- > 0;) {
        RestoredTarget restored{j, std::nullopt};
        Status undone = undo_target(targets[j], applied[j], options.chain);
        if (!undone)
          restored.error = std::move(undone).error().wrap("restoring the previous chain");
        result.restored.push_back(std::move(restored));
      }
      return result;
    }
    step.report = *report;
    result.reports.push_back(std::move(*report));
    applied.push_back(std::move(step));
  }
  for (const auto &target : targets)
    release_target(target, options.chain);
  return result;
}

} // namespace xdpchain
