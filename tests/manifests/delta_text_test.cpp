// The per-program lines `apply` and `diff` print, and what counts as a difference.
#include "manifests/delta_text.h"

#include <gtest/gtest.h>

namespace xdpchain::manifests {
namespace {

using dispatcher::MemberChange;

TEST(DeltaText, OneAlignedLinePerProgram) {
  std::vector<dispatcher::MemberDelta> deltas = {
      {"drop-icmp", MemberChange::added, "priority 20"},
      {"old", MemberChange::removed, ""},
      {"count", MemberChange::reordered, "priority 30 -> 5"},
      {"pass", MemberChange::changed, "object changed"},
      {"log", MemberChange::unchanged, ""},
  };
  EXPECT_EQ(format_deltas(deltas), "  + added     drop-icmp  priority 20\n"
                                   "  - removed   old\n"
                                   "  ~ reordered count      priority 30 -> 5\n"
                                   "  * changed   pass       object changed\n"
                                   "  = unchanged log");
}

TEST(DeltaText, HasChanges) {
  dispatcher::ApplyReport report;
  report.deltas = {{"a", MemberChange::unchanged, ""}};
  EXPECT_FALSE(has_changes(report));
  report.deltas.push_back({"b", MemberChange::reordered, ""});
  EXPECT_TRUE(has_changes(report));
  report.deltas.pop_back();
  report.swapped = true;
  EXPECT_TRUE(has_changes(report));
}

TEST(DeltaText, ChainDifferences) {
  dispatcher::ChainSpec current, desired;
  current.backend = dispatcher::Backend::tailcall;
  EXPECT_TRUE(chain_differences(current, desired).empty()); // auto accepts any backend
  desired.mode = dispatcher::Mode::generic;
  desired.backend = dispatcher::Backend::freplace;
  EXPECT_EQ(chain_differences(current, desired),
            (std::vector<std::string>{"mode: native -> generic", "backend: tailcall -> freplace"}));
  current = desired;
  desired.counters = false;
  EXPECT_EQ(chain_differences(current, desired), (std::vector<std::string>{"counters: on -> off"}));
  current.counters = false;
  EXPECT_TRUE(chain_differences(current, desired).empty());
  desired.counters = true;
  EXPECT_EQ(chain_differences(current, desired), (std::vector<std::string>{"counters: off -> on"}));
}

} // namespace
} // namespace xdpchain::manifests
