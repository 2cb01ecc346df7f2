// The agent's decisions (agent/reconcile_plan.h) on made-up views: what is applied,
// removed or forgotten, and above all what is left alone when the kernel view is unknown.
#include "agent/reconcile_plan.h"

#include <gtest/gtest.h>

namespace xdpchain::agent {
namespace {

using Action = ReconcileStep::Action;

LinkNow present(int ifindex, uint32_t prog) {
  return {LinkNow::State::present, ifindex, prog};
}
LinkNow absent() {
  return {LinkNow::State::absent, 0, 0};
}

// One wanted chain "/eth0" applied as prog 7 on ifindex 3.
ReconcileInput steady() {
  ReconcileInput in;
  in.wanted = {{"/eth0", "fp1"}};
  in.links["/eth0"] = present(3, 7);
  in.applied["/eth0"] = {3, 7, "fp1"};
  return in;
}

std::vector<std::pair<Action, std::string>> actions(const std::vector<ReconcileStep> &steps) {
  std::vector<std::pair<Action, std::string>> out;
  for (const auto &step : steps)
    out.emplace_back(step.action, step.key);
  return out;
}

TEST(ReconcilePlan, NothingToDoWhenTheKernelRunsWhatWasApplied) {
  EXPECT_TRUE(plan_reconcile(steady()).empty());
}

TEST(ReconcilePlan, AnotherProgramOnTheInterfaceIsDrift) {
  auto in = steady();
  in.links["/eth0"] = present(3, 0); // detached
  auto steps = plan_reconcile(in);
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(steps[0].action, Action::apply);
  EXPECT_EQ(steps[0].why, Why::drift);
}

TEST(ReconcilePlan, ChangedSpecObjectsOrIfindexAreApplied) {
  auto in = steady();
  in.wanted[0].fingerprint = "fp2";
  EXPECT_EQ(plan_reconcile(in).at(0).why, Why::config);
  in = steady();
  in.objects_changed.insert("/eth0");
  EXPECT_EQ(plan_reconcile(in).at(0).why, Why::objects);
  in = steady();
  in.links["/eth0"] = present(9, 0);
  EXPECT_EQ(plan_reconcile(in).at(0).why, Why::interface);
  in = steady();
  in.applied.clear();
  EXPECT_EQ(plan_reconcile(in).at(0).why, Why::first);
}

TEST(ReconcilePlan, UnknownViewChangesNothing) {
  // A namespace that could not be read: neither the wanted chain nor a chain no manifest
  // wants any more is touched.
  auto in = steady();
  in.links["/eth0"] = LinkNow{};
  in.applied["/eth1"] = {4, 8, "fpx"};
  in.links["/eth1"] = LinkNow{};
  EXPECT_TRUE(plan_reconcile(in).empty());
}

TEST(ReconcilePlan, UnwantedChainIsRemovedWhileItsInterfaceIsThereElseForgotten) {
  auto in = steady();
  in.applied["/eth1"] = {4, 8, "fpx"};
  in.links["/eth1"] = present(4, 8);
  auto steps = actions(plan_reconcile(in));
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(steps[0], std::make_pair(Action::remove, std::string("/eth1")));

  in.links["/eth1"] = absent();
  EXPECT_EQ(actions(plan_reconcile(in)).at(0),
            std::make_pair(Action::forget, std::string("/eth1")));
  // Re-created under the same name (another ifindex) and no longer wanted: the old state is
  // forgotten, the new interface is not ours.
  in.links["/eth1"] = present(5, 0);
  EXPECT_EQ(actions(plan_reconcile(in)).at(0),
            std::make_pair(Action::forget, std::string("/eth1")));
}

TEST(ReconcilePlan, WantedInterfaceGoneIsForgottenAndNewOneWaitsQuietly) {
  auto in = steady();
  in.links["/eth0"] = absent();
  EXPECT_EQ(actions(plan_reconcile(in)).at(0),
            std::make_pair(Action::forget, std::string("/eth0")));
  in.applied.clear();
  EXPECT_TRUE(plan_reconcile(in).empty());
}

TEST(ReconcilePlan, FailedApplyWaitsForAChangeOrAResync) {
  auto in = steady();
  in.applied.clear();
  in.failed["/eth0"] = {"fp1", 3};
  EXPECT_TRUE(plan_reconcile(in).empty());
  in.retry_failed = true;
  EXPECT_EQ(plan_reconcile(in).at(0).why, Why::retry);
  in.retry_failed = false;
  in.wanted[0].fingerprint = "fp2"; // the manifest was fixed
  EXPECT_EQ(plan_reconcile(in).at(0).why, Why::first);
  in.wanted[0].fingerprint = "fp1";
  in.links["/eth0"] = present(6, 0); // the interface was re-created
  EXPECT_EQ(plan_reconcile(in).at(0).action, Action::apply);
}

TEST(ReconcilePlan, FiveHundredInterfacesOneChangedTouchesOne) {
  ReconcileInput in;
  for (int i = 0; i < 500; ++i) {
    std::string key = "/lxc" + std::to_string(i);
    in.wanted.push_back({key, "fp"});
    in.links[key] = present(100 + i, 1000 + i);
    in.applied[key] = {100 + i, static_cast<uint32_t>(1000 + i), "fp"};
  }
  in.wanted[123].fingerprint = "fp-new";
  auto steps = plan_reconcile(in);
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(steps[0].key, "/lxc123");
  EXPECT_EQ(steps[0].wanted, 123u);
}

} // namespace
} // namespace xdpchain::agent
