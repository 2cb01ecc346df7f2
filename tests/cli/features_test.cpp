// `xdpchain features IFACE` probes native XDP without attaching anything: it asks what the
// driver reports (netdev XDP features), and the interface's XDP state stays as it was.
#include "tests/cli/operator_fixture.h"

#include <gmock/gmock.h>

#include <filesystem>

namespace xdpchain::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

using FeaturesTest = OperatorTest;

TEST_F(FeaturesTest, ProbesTheInterfaceWithoutAttaching) {
  ASSERT_TRUE(pair_->dut_xdp().is_null());
  nlohmann::json features = cli_->features(iface());
  EXPECT_TRUE(features["native"]["supported"].get<bool>()) << features;
  EXPECT_THAT(features["native"]["reason"].get<std::string>(),
              HasSubstr("the driver reports XDP features: basic"))
      << features;
  EXPECT_TRUE(features["generic"]["supported"].get<bool>()) << features;
  for (const char *mode : {"native", "generic"})
    EXPECT_THAT(features[mode]["reason"].get<std::string>(), Not(HasSubstr("attached")))
        << features;
  EXPECT_TRUE(pair_->dut_xdp().is_null()) << pair_->dut_xdp();
  EXPECT_FALSE(std::filesystem::exists(cli_->bpffs_root())) << "features writes no state";

  // With a chain on it, the mode in use is what is reported, and the chain stays.
  ASSERT_EQ(run({"add", iface(), prog_path("xdp_pass"), "--backend", "tailcall"}).exit_code, 0);
  auto before = pair_->dut_xdp();
  features = cli_->features(iface());
  EXPECT_THAT(features["native"]["reason"].get<std::string>(), HasSubstr("in use now")) << features;
  EXPECT_EQ(pair_->dut_xdp(), before);
}

} // namespace
} // namespace xdpchain::test
