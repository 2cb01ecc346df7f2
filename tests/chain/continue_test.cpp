// Continue semantics on real packets, for every (backend, mode): a member's verdict passes
// the packet to the next member exactly when it is in that member's proceed set; any other
// verdict is final; a chain that runs off its end passes the packet. And the chain lengths
// each backend promises: 64 members on freplace, 32 on tailcall (kernel limit 33 hops),
// 128 on fused (one counter block each).
// And whole-chain swaps are atomic while traffic flows.
#include "tests/chain/chain_fixture.h"

#include <atomic>
#include <exception>
#include <thread>

namespace xdpchain::test {
namespace {

using Labels = std::vector<std::string>;

TEST_P(ChainTest, VerdictInProceedSetLetsTheNextMemberDecide) {
  // `second` drops ICMP and passes UDP, so what arrives shows who decided.
  ASSERT_CMD_OK(add("xdp_drop_icmp", {"--name", "second", "--priority", "20"}));
  Counts second_before;
  for (const std::string verdict : {"aborted", "drop", "tx", "redirect", "pass"}) {
    SCOPED_TRACE("first member returns " + verdict + ", proceed set {" + verdict + "}");
    ASSERT_CMD_OK(add("verdict_" + verdict,
                      {"--name", "first", "--priority", "10", "--proceed-on", verdict}));
    ASSERT_EQ(labels(status()), (Labels{"first", "second"}));
    EXPECT_EQ(net().send_udp(7000, 5), 5) << "the packets did not go on to `second`";
    EXPECT_EQ(net().ping(3), 0) << "`second` should have dropped ping";
    nlohmann::json st = status();
    EXPECT_EQ(counters(st, "first"), counts_of(8, verdict));
    Counts second = second_before;
    second.entered += 8;
    second.pass += 5;
    second.drop += 3;
    EXPECT_EQ(counters(st, "second"), second);
    second_before = counters(st, "second");
    ASSERT_CMD_OK(remove("first"));
  }
}

TEST_P(ChainTest, VerdictOutsideProceedSetEndsTheChain) {
  ASSERT_CMD_OK(add("verdict_pass", {"--name", "second", "--priority", "20"}));
  for (const std::string verdict : {"aborted", "drop", "tx", "redirect", "other"}) {
    SCOPED_TRACE("first member returns " + verdict + ", default proceed set {pass}");
    ASSERT_CMD_OK(add("verdict_" + verdict, {"--name", "first", "--priority", "10"}));
    EXPECT_EQ(net().send_udp(7000, 5), 0) << "a final " << verdict << " delivered packets";
    nlohmann::json st = status();
    EXPECT_EQ(counters(st, "first"), counts_of(5, verdict));
    EXPECT_EQ(counters(st, "second"), Counts{}) << "the chain went on after a final verdict";
    ASSERT_CMD_OK(remove("first"));
  }
  // And XDP_PASS, the default proceed set, does go on.
  ASSERT_CMD_OK(add("verdict_pass", {"--name", "first", "--priority", "10"}));
  EXPECT_EQ(net().send_udp(7000, 5), 5);
  EXPECT_EQ(counters(status(), "second"), counts_of(5, "pass"));
}

TEST_P(ChainTest, ChainThatRunsOffItsEndPasses) {
  ASSERT_CMD_OK(add("verdict_drop", {"--name", "only", "--proceed-on", "drop"}));
  EXPECT_EQ(net().ping(4), 4) << "the chain's end must mean XDP_PASS";
  EXPECT_EQ(counters(status(), "only"), counts_of(4, "drop"));
  ASSERT_CMD_OK(add("verdict_aborted",
                    {"--name", "last", "--priority", "60", "--proceed-on", "aborted,drop"}));
  EXPECT_EQ(net().ping(4), 4) << "the chain's end must mean XDP_PASS";
  EXPECT_EQ(counters(status(), "last"), counts_of(4, "aborted"));
}

TEST_P(ChainTest, SwapsUnderTrafficNeitherLeakNorLosePackets) {
  // `guard` drops UDP to 9999 in every chain the interface runs while another member comes
  // and goes (before it, then after it). A packet that met no chain, or half of one, or an
  // empty prog-array slot, would get through to 9999 or go missing on 9998.
  ASSERT_CMD_OK(add("xdp_drop_udp_port", {"--name", "guard", "--priority", "50"}));
  UdpFlow blocked(net(), 9999);
  UdpFlow allowed(net(), 9998);
  std::atomic<bool> stop{false};
  std::exception_ptr sender_error;
  std::thread sender([&] {
    try {
      while (!stop) {
        blocked.send();
        allowed.send();
        blocked.drain();
        allowed.drain();
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    } catch (...) {
      sender_error = std::current_exception();
    }
  });
  int swaps = 0;
  for (int i = 0; i < 6; ++i) {
    // No ASSERT here: the sender thread must be joined first.
    CommandResult added =
        add("verdict_pass", {"--name", "extra", "--priority", i % 2 ? "80" : "10"});
    EXPECT_EQ(added.exit_code, 0) << added;
    CommandResult removed = remove("extra");
    EXPECT_EQ(removed.exit_code, 0) << removed;
    if (added.exit_code != 0 || removed.exit_code != 0) break;
    swaps += 2;
  }
  stop = true;
  sender.join();
  ASSERT_FALSE(sender_error) << "the sender failed";
  ASSERT_EQ(swaps, 12);
  allowed.wait_for(allowed.sent());
  blocked.wait_for(blocked.sent(), std::chrono::milliseconds(200));
  EXPECT_GT(allowed.sent(), 50) << "too little traffic during the swaps to show anything";
  EXPECT_EQ(blocked.received(), 0) << "datagrams to 9999 got past the guard during swaps";
  EXPECT_EQ(allowed.received(), allowed.sent()) << "datagrams to 9998 lost during swaps";
  const uint64_t total = static_cast<uint64_t>(blocked.sent() + allowed.sent());
  EXPECT_EQ(counters(status(), "guard"), (Counts{.entered = total,
                                                 .drop = static_cast<uint64_t>(blocked.sent()),
                                                 .pass = static_cast<uint64_t>(allowed.sent())}))
      << "counters lost or double-counted packets across " << swaps << " swaps";
}

// Chain length does not depend on the mode: native only, which halves the (slow) VM runs.
TEST_P(BackendTest, LongestChainTheBackendPromisesForwardsTraffic) {
  const int members = backend() == "freplace" ? 64 : backend() == "fused" ? 128 : 32;
  const std::vector<std::string> common = {"--backend", backend(), "--mode", "native"};
  auto add_pass = [&](const std::string &label, int priority) {
    std::vector<std::string> args = {"--name", label, "--priority", std::to_string(priority)};
    args.insert(args.end(), common.begin(), common.end());
    return add_to(iface(), "verdict_pass", args);
  };
  Labels expected;
  for (int i = 0; i < members; ++i) {
    const std::string label = (i < 10 ? "m0" : "m") + std::to_string(i);
    expected.push_back(label);
    ASSERT_CMD_OK(add_pass(label, i));
  }
  nlohmann::json st = status();
  ASSERT_EQ(labels(st), expected);
  EXPECT_EQ(st.value("backend", ""), backend());
  EXPECT_EQ(net().ping(3), 3);
  st = status();
  for (const auto &label : expected)
    EXPECT_EQ(counters(st, label), counts_of(3, "pass")) << label;

  if (backend() == "tailcall") {
    CommandResult refused = add_pass("m32", 99);
    // Exit 2 (bad input) or 3 (not supported): either tells the user it can never work.
    EXPECT_TRUE(refused.exit_code == 2 || refused.exit_code == 3)
        << "a 33rd tail-call member must be refused: " << refused;
    EXPECT_NE(refused.err.find("32"), std::string::npos)
        << "the error should name the limit of 32 members: " << refused;
    nlohmann::json after = status();
    EXPECT_EQ(labels(after), expected);
    EXPECT_EQ(after.value("dispatcher_prog_id", 0u), st.value("dispatcher_prog_id", 1u));
    EXPECT_EQ(net().ping(3), 3);
  }
}

} // namespace
} // namespace xdpchain::test
