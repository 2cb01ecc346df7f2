// Each member's maps (kernel name, id, pin) in `status -j` and `status -v`, checked against
// the maps the kernel says the member's program uses.
#include "tests/cli/operator_fixture.h"
#include "tests/support/bpf_kernel.h"

#include <gmock/gmock.h>

#include <filesystem>

namespace xdpchain::test {
namespace {

using ::testing::HasSubstr;
using json = nlohmann::json;

using MemberMapsTest = OperatorTest;

TEST_F(MemberMapsTest, StatusShowsEachMembersMapIdsAndPins) {
  std::string pin = "/sys/fs/bpf/" + unique_name("xdpchain-op-proto-count");
  files_.push_back(pin);
  std::string yaml = manifest(
      "  backend: tailcall\n  programs:\n"
      "    - name: count\n      object: " +
      prog_path("xdp_count") + "\n      maps:\n        - name: proto_count\n          pin: " + pin +
      "\n    - name: pass\n      object: " + prog_path("verdict_pass") + "\n      priority: 60\n");
  CommandResult applied = run({"apply", "-f", yaml});
  ASSERT_EQ(applied.exit_code, 0) << applied;
  ASSERT_EQ(pair_->ping(3), 3);

  json chain = cli_->status(iface());
  json count = member(chain, "count");
  auto id = find_map(prog_map_ids(count["prog_id"].get<uint32_t>()), "proto_count");
  ASSERT_TRUE(id.has_value());
  json expected = {{"name", "proto_count"}, {"id", *id}, {"pin", pin}};
  EXPECT_THAT(count["maps"], ::testing::Contains(expected)) << count;
  EXPECT_EQ(read_array_u64(*id, 1), 3u) << "the map shown counted the echo requests";
  const json pass = member(chain, "pass");
  for (const auto &map : pass["maps"])
    EXPECT_EQ(map["pin"], "") << "verdict_pass pins nothing: " << map;

  CommandResult verbose = run({"status", iface(), "-v"});
  ASSERT_EQ(verbose.exit_code, 0) << verbose;
  EXPECT_THAT(verbose.out,
              HasSubstr("map proto_count id " + std::to_string(*id) + ", pinned at " + pin))
      << verbose;
  CommandResult plain = run({"status", iface()});
  EXPECT_THAT(plain.out, ::testing::Not(HasSubstr("map proto_count"))) << plain;
}

} // namespace
} // namespace xdpchain::test
