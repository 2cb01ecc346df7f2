// `xdpchain set IFACE LABEL --priority N / --proceed-on LIST` on a veth pair: the member
// keeps its program id and counters, the chain gets a new generation, and real traffic
// shows the new order and continue set.
#include "tests/cli/operator_fixture.h"

#include <gmock/gmock.h>

namespace xdpchain::test {
namespace {

using ::testing::HasSubstr;
using json = nlohmann::json;

using SetTest = OperatorTest;

TEST_F(SetTest, PriorityAndContinueSetKeepProgramAndCounters) {
  // "first" passes every packet and, as pass is not in its continue set, ends the chain.
  ASSERT_EQ(run({"add", iface(), prog_path("verdict_pass"), "--name", "first", "--priority", "10",
                 "--proceed-on", "drop", "--backend", "tailcall"})
                .exit_code,
            0);
  ASSERT_EQ(run({"add", iface(), prog_path("xdp_drop_icmp"), "--name", "icmp", "--priority", "20"})
                .exit_code,
            0);
  EXPECT_EQ(pair_->ping(3), 3); // icmp never sees a packet
  json before = cli_->status(iface());
  ASSERT_EQ(before["programs"][0]["label"], "first");
  EXPECT_EQ(member(before, "first")["counters"]["entered"], 3);
  EXPECT_EQ(member(before, "icmp")["counters"]["entered"], 0);

  CommandResult r = run({"set", iface(), "icmp", "--priority", "5", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r;
  json doc = json::parse(r.out);
  json deltas = doc["changes"][0]["deltas"];
  EXPECT_THAT(deltas.dump(), HasSubstr(R"({"change":"changed","detail":"priority 20 -> 5",)"
                                       R"("label":"icmp"})"));
  json after = cli_->status(iface());
  EXPECT_EQ(after["generation"], before["generation"].get<int>() + 1);
  ASSERT_EQ(after["programs"][0]["label"], "icmp");
  EXPECT_EQ(after["programs"][0]["priority"], 5);
  for (const char *label : {"first", "icmp"})
    EXPECT_EQ(member(after, label)["prog_id"], member(before, label)["prog_id"]) << label;
  EXPECT_EQ(member(after, "first")["counters"]["entered"], 3);

  EXPECT_EQ(pair_->ping(3), 0); // icmp now runs first and drops the echo requests
  json dropped = cli_->status(iface());
  EXPECT_EQ(member(dropped, "icmp")["counters"]["drop"], 3);
  EXPECT_EQ(member(dropped, "first")["counters"]["entered"], 3);

  r = run({"set", iface(), "icmp", "--proceed-on", "pass,drop"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("changed icmp (proceed-on pass -> drop,pass)")) << r;
  EXPECT_EQ(pair_->ping(3), 3); // icmp's drop goes on to "first", which passes
  json passed = cli_->status(iface());
  EXPECT_EQ(member(passed, "icmp")["prog_id"], member(before, "icmp")["prog_id"]);
  EXPECT_EQ(member(passed, "icmp")["counters"]["drop"], 6);
  EXPECT_EQ(member(passed, "first")["counters"]["entered"], 6);
  EXPECT_EQ(member(passed, "first")["counters"]["pass"], 6);
}

TEST_F(SetTest, RefusalsSayWhatIsWrongAndChangeNothing) {
  ASSERT_EQ(run({"add", iface(), prog_path("xdp_pass"), "--name", "a", "--backend", "tailcall"})
                .exit_code,
            0);
  json before = cli_->status(iface());
  CommandResult r = run({"set", iface(), "nosuch", "--priority", "1"});
  EXPECT_EQ(r.exit_code, 2) << r;
  EXPECT_THAT(r.err, HasSubstr("no program labelled 'nosuch'")) << r;
  EXPECT_THAT(r.err, HasSubstr("labels in the chain: a")) << r;
  r = run({"set", iface(), "a"});
  EXPECT_EQ(r.exit_code, 2) << r;
  EXPECT_THAT(r.err, HasSubstr("nothing to set: give --priority or --proceed-on")) << r;
  r = run({"set", iface(), "a", "--priority", "5000"});
  EXPECT_EQ(r.exit_code, 2) << r;
  EXPECT_THAT(r.err, HasSubstr("priority 5000 is outside 0..1000")) << r;
  EXPECT_EQ(cli_->status(iface())["generation"], before["generation"]);
}

} // namespace
} // namespace xdpchain::test
