// A program written in the xdpchain language, compiled on the fly by `xdpchain add`, runs
// as a chain member on each backend and keeps the priority and continue set its source
// declares (:priority 20 :proceed-on (:pass)). Real UDP traffic on a veth pair.
#include "tests/support/netns_pair.h"
#include "tests/support/test_vm.h"
#include "tests/support/xdpchain_cli.h"

#include <gtest/gtest.h>

namespace xdpchain::test {
namespace {

const std::string kSource = std::string(XDPCHAIN_SOURCE_DIR) + "/manifests/examples/drop-port.lisp";

class LispMember : public ::testing::TestWithParam<std::string> {
protected:
  void SetUp() override {
    nlohmann::json features = cli_.features();
    if (features[GetParam()]["supported"].get<bool>()) return;
    if (GetParam() == "freplace" && !in_test_vm())
      GTEST_SKIP() << GetParam() << " backend: " << features[GetParam()]["reason"];
    GTEST_FAIL() << GetParam() << " backend must work here: " << features[GetParam()]["reason"];
  }
  NetnsPair net_;
  XdpchainCli cli_{net_.dut().netns};
};

TEST_P(LispMember, CompiledSourceFiltersTrafficInTheChain) {
  const std::string iface = net_.dut().ifname;
  CommandResult add_lisp = cli_.run({"add", iface, kSource, "--name", "port-filter", "--backend",
                                     GetParam(), "--mode", "generic"});
  ASSERT_EQ(add_lisp.exit_code, 0) << add_lisp;
  ASSERT_EQ(cli_.run({"add", iface, prog_path("xdp_count"), "--name", "count", "--priority", "40"})
                .exit_code,
            0);

  EXPECT_EQ(net_.send_udp(9999, 5), 0) << "the compiled program drops UDP to port 9999";
  EXPECT_EQ(net_.send_udp(9998, 7), 7) << "and passes other ports";

  nlohmann::json st = cli_.status(iface);
  EXPECT_EQ(st["backend"], GetParam());
  ASSERT_EQ(st["programs"].size(), 2u);
  const auto &filter = st["programs"][0];
  EXPECT_EQ(filter["label"], "port-filter");
  EXPECT_EQ(filter["priority"], 20) << "priority from the source's :priority";
  EXPECT_EQ(filter["proceed_on"], nlohmann::json::array({"pass"}));
  EXPECT_EQ(filter["counters"]["entered"], 12);
  EXPECT_EQ(filter["counters"]["drop"], 5);
  EXPECT_EQ(st["programs"][1]["counters"]["entered"], 7) << "dropped packets never reach count";
  // The member is shown as the source the user named, not as the cached object.
  EXPECT_EQ(filter["source"], kSource);
  EXPECT_TRUE(st["programs"][1]["source"].is_null());
  CommandResult table = cli_.run({"status", iface});
  EXPECT_NE(table.out.find(kSource), std::string::npos) << table;
  EXPECT_EQ(table.out.find("/objects/"), std::string::npos) << table;

  // Adding the same source again is recognised as the same program.
  CommandResult again = cli_.run({"add", iface, kSource, "--name", "port-filter"});
  EXPECT_NE(again.exit_code, 0) << "the label is taken";
  ASSERT_EQ(cli_.run({"remove", iface, "--all"}).exit_code, 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, LispMember, ::testing::Values("tailcall", "fused", "freplace"),
                         [](const auto &info) { return info.param; });

} // namespace
} // namespace xdpchain::test
