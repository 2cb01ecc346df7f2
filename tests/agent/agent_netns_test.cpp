// `xdpchain agent` on a real veth pair: the chain the config dir describes appears, comes
// back when the interface is re-created or the chain is detached or changed out of band,
// survives a broken manifest edit, and stays after SIGTERM. Traffic from the peer checks
// the verdicts: the chain drops ICMP and passes UDP.
#include "tests/agent/agent_fixture.h"
#include "tests/support/bpf_kernel.h"

#include <csignal>
#include <regex>
#include <thread>

namespace xdpchain::test {
namespace {

using namespace std::chrono_literals;

const std::vector<std::string> kChain = {"drop-icmp", "pass"};

class AgentNetnsTest : public AgentTest {
protected:
  std::string write_chain() {
    return write("edge.yaml",
                 manifest("edge", {{"drop-icmp", "xdp_drop_icmp"}, {"pass", "xdp_pass"}}));
  }
  // ICMP dropped by the chain, UDP passed.
  void expect_chain_verdicts() {
    EXPECT_EQ(net().ping(3), 0) << "the chain should drop every echo request";
    EXPECT_EQ(net().send_udp(7001, 5), 5) << "the chain should pass UDP";
  }
};

TEST_F(AgentNetnsTest, AppliesTheConfigDirAtStart) {
  write_chain();
  auto agent = start_agent();
  ASSERT_EQ(labels(), kChain) << agent->log();
  expect_chain_verdicts();
  EXPECT_EQ(agent->metric("xdpchain_applies_total"), 1);
  EXPECT_NE(agent->http_get("/metrics").find("metrics_version=\"2\""), std::string::npos);
  EXPECT_EQ(agent->http_get("/healthz").find("xdpchain_agent_up 1") != std::string::npos, true);
}

TEST_F(AgentNetnsTest, RecreatedInterfaceGetsItsChainBackWithinOneSecond) {
  write_chain();
  auto agent = start_agent(/*resync_seconds=*/60); // only the link event can bring it back
  ASSERT_EQ(labels(), kChain) << agent->log();
  const int old_ifindex = net().dut().ifindex;

  auto started = std::chrono::steady_clock::now();
  net().recreate_link();
  ASSERT_NE(net().dut().ifindex, old_ifindex);
  ASSERT_TRUE(wait_until(
      [&] { return status().value("ifindex", 0) == net().dut().ifindex && labels() == kChain; },
      1s))
      << "chain not back within 1 s after the interface came back\n"
      << agent->log();
  auto took = std::chrono::steady_clock::now() - started;
  RecordProperty(
      "recreate_to_chain_ms",
      static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(took).count()));
  expect_chain_verdicts();
  EXPECT_GE(agent->metric("xdpchain_interface_events_total{event=\"appeared\"}"), 1);
  EXPECT_GE(agent->metric("xdpchain_interface_events_total{event=\"gone\"}"), 1);
  // The old interface's state was pruned: only one interface directory is left.
  CommandResult prune = xdpchain({"prune", "--dry-run"});
  EXPECT_EQ(prune.exit_code, 0) << prune;
  EXPECT_EQ(prune.out.find("ns"), std::string::npos) << prune;
}

TEST_F(AgentNetnsTest, RepairsChainsDetachedOrChangedOutOfBand) {
  write_chain();
  auto agent = start_agent(/*resync_seconds=*/1);
  ASSERT_EQ(labels(), kChain) << agent->log();

  // `ip link set dev X xdp off`: the kernel refuses to detach our bpf_link (EBUSY), so
  // the chain must simply still be there and working.
  CommandResult off =
      run_command({"ip", "-n", net().dut().netns, "link", "set", "dev", iface(), "xdp", "off"});
  EXPECT_NE(off.exit_code, 0) << off;
  EXPECT_EQ(labels(), kChain);

  // `xdpchain remove --all`
  ASSERT_EQ(xdpchain({"remove", iface(), "--all"}).exit_code, 0);
  ASSERT_TRUE(wait_for_labels(kChain, 3s)) << agent->log();
  expect_chain_verdicts();
  EXPECT_EQ(agent->metric("xdpchain_drift_repairs_total"), 1);

  // The link detached by another tool (bpftool).
  uint32_t link_id = status().value("xdp_link_id", 0u);
  ASSERT_NE(link_id, 0u);
  ASSERT_EQ(run_command({"bpftool", "link", "detach", "id", std::to_string(link_id)}).exit_code, 0);
  ASSERT_TRUE(wait_until(
      [&] { return status().value("xdp_link_id", 0u) != link_id && labels() == kChain; }, 3s))
      << agent->log();
  expect_chain_verdicts();
  EXPECT_EQ(agent->metric("xdpchain_drift_repairs_total"), 2);

  // A member added by hand is taken out again.
  ASSERT_EQ(
      xdpchain({"add", iface(), prog_path("verdict_drop"), "--name", "extra", "--priority", "5"})
          .exit_code,
      0);
  ASSERT_TRUE(wait_for_labels(kChain, 3s)) << agent->log();
  expect_chain_verdicts();
  EXPECT_EQ(agent->metric("xdpchain_drift_repairs_total"), 3);
  EXPECT_NE(agent->log().find("drift repaired"), std::string::npos);
}

TEST_F(AgentNetnsTest, BrokenEditKeepsTheRunningChainAndShowsTheError) {
  const std::string path = write_chain();
  auto agent = start_agent(/*resync_seconds=*/1);
  ASSERT_EQ(labels(), kChain) << agent->log();
  const uint32_t dispatcher = status().value("dispatcher_prog_id", 0u);
  const std::string valid = "xdpchain_manifest_valid{file=\"" + path + "\"}";
  EXPECT_EQ(agent->metric(valid), 1);

  // Line 16 of the manifest is the second member's priority.
  std::string broken = manifest("edge", {{"drop-icmp", "xdp_drop_icmp"}, {"pass", "xdp_pass"}});
  broken.replace(broken.rfind("priority: 20"), 12, "priority: high");
  write("edge.yaml", broken);
  ASSERT_TRUE(wait_until([&] { return agent->metric(valid) == 0; }, 3s)) << agent->log();
  EXPECT_NE(agent->http_get("/metrics").find(path + ":16:17: key 'spec.programs[1].priority'"),
            std::string::npos)
      << agent->http_get("/metrics");
  EXPECT_NE(agent->log().find("<3>xdpchain-agent: " + path + ":16:17"), std::string::npos)
      << agent->log();
  std::this_thread::sleep_for(1500ms); // a resync passes
  EXPECT_EQ(status().value("dispatcher_prog_id", 0u), dispatcher) << "the chain was touched";
  expect_chain_verdicts();

  // A good edit is applied: without drop-icmp, ping gets through.
  write("edge.yaml", manifest("edge", {{"pass", "xdp_pass"}}));
  ASSERT_TRUE(wait_for_labels({"pass"}, 3s)) << agent->log();
  EXPECT_EQ(agent->metric(valid), 1);
  EXPECT_EQ(net().ping(3), 3);

  // Deleting the file removes its chain.
  std::filesystem::remove(path);
  ASSERT_TRUE(wait_for_labels({}, 3s)) << agent->log();
  EXPECT_EQ(agent->metric("xdpchain_chain_removals_total"), 1);
}

TEST_F(AgentNetnsTest, SigtermLeavesTheChainAndRemoveOnExitTakesItAway) {
  write_chain();
  {
    auto agent = start_agent();
    ASSERT_EQ(labels(), kChain) << agent->log();
    EXPECT_EQ(agent->stop(SIGTERM), 0) << agent->log();
  }
  EXPECT_EQ(labels(), kChain);
  expect_chain_verdicts();
  {
    auto agent = start_agent(1, {"--remove-on-exit"});
    EXPECT_EQ(agent->metric("xdpchain_applies_total"), 0) << "the chain already matched";
    EXPECT_EQ(agent->stop(SIGINT), 0) << agent->log();
  }
  EXPECT_EQ(labels(), std::vector<std::string>{});
  EXPECT_EQ(net().ping(3), 3);
}

TEST_F(AgentNetnsTest, OneAgentPerBpffsRoot) {
  write_chain();
  auto agent = start_agent();
  CommandResult second =
      run_command({XdpchainCli::binary(), "--bpffs", cli().bpffs_root(), "agent", "--config-dir",
                   config_dir(), "--metrics-address", "127.0.0.1:0"},
                  {"", 10s});
  EXPECT_EQ(second.exit_code, 4) << second;
  EXPECT_NE(second.err.find("another xdpchain agent runs on bpffs root"), std::string::npos);
}

TEST_F(AgentNetnsTest, CliCommandsBesideTheAgentDoNotCorruptTheChain) {
  write_chain();
  auto agent = start_agent(/*resync_seconds=*/1);
  ASSERT_EQ(labels(), kChain) << agent->log();
  // While the agent repairs every second, add and remove a member by hand 15 times.
  for (int i = 0; i < 15; ++i) {
    CommandResult add = xdpchain({"add", iface(), prog_path("xdp_count"), "--name", "extra"});
    EXPECT_TRUE(add.exit_code == 0 || add.exit_code == 4) << add;
    std::this_thread::sleep_for(std::chrono::milliseconds(100 * (i % 4)));
    CommandResult remove = xdpchain({"remove", iface(), "extra"});
    // 2: the agent took "extra" out first.
    EXPECT_TRUE(remove.exit_code == 0 || remove.exit_code == 2 || remove.exit_code == 4) << remove;
    nlohmann::json s = status();
    EXPECT_TRUE(s.value("present", false)) << s.dump();
  }
  ASSERT_TRUE(wait_for_labels(kChain, 3s)) << agent->log();
  expect_chain_verdicts();
  EXPECT_EQ(agent->metric("xdpchain_apply_errors_total"), 0) << agent->log();
  // No generation left behind, no stale interface directory.
  CommandResult prune = xdpchain({"prune", "--dry-run"});
  EXPECT_EQ(prune.exit_code, 0) << prune;
  EXPECT_EQ(prune.out.find("ns"), std::string::npos) << prune;
}

// Another tool's XDP program is left alone (an apply error, counted, the program stays)
// until the manifest says `force: true`.
TEST_F(AgentNetnsTest, ForeignProgramIsReplacedOnlyWithForce) {
  CommandResult foreign = run_command({"ip", "-n", net().dut().netns, "link", "set", "dev", iface(),
                                       "xdpdrv", "obj", prog_path("verdict_drop"), "sec", "xdp"});
  ASSERT_EQ(foreign.exit_code, 0) << foreign;
  ASSERT_EQ(net().ping(2), 0) << "the foreign program drops everything";
  write_chain();
  auto agent = start_agent(/*resync_seconds=*/1);
  EXPECT_GE(agent->metric("xdpchain_apply_errors_total"), 1) << agent->log();
  std::this_thread::sleep_for(1500ms); // a resync passes: still not replaced
  EXPECT_TRUE(status().value("foreign_program", std::string()) != "") << status().dump();
  EXPECT_EQ(labels(), std::vector<std::string>{});
  EXPECT_EQ(net().send_udp(7001, 3), 0) << "the foreign program still runs";
  EXPECT_NE(agent->log().find("apply failed"), std::string::npos) << agent->log();

  std::string forced = manifest("edge", {{"drop-icmp", "xdp_drop_icmp"}, {"pass", "xdp_pass"}});
  forced.replace(forced.find("  mode: native\n"), 15, "  mode: native\n  force: true\n");
  write("edge.yaml", forced);
  ASSERT_TRUE(wait_for_labels(kChain, 3s)) << agent->log();
  expect_chain_verdicts();
}

// `xdpchain stats --watch`: one table per interval with rates and totals; not a terminal
// here, so tables are appended.
TEST_F(AgentNetnsTest, StatsWatchShowsRatesAndTotalsEveryInterval) {
  write_chain();
  auto agent = start_agent();
  ASSERT_EQ(labels(), kChain) << agent->log();
  CommandResult watch;
  std::thread watcher([&] {
    watch = xdpchain({"stats", iface(), "--watch", "--interval", "0.5", "--count", "6"});
  });
  int replies = net().ping(20); // 1 s of echo requests while the tables are taken
  watcher.join();
  EXPECT_EQ(replies, 0);
  ASSERT_EQ(watch.exit_code, 0) << watch;
  size_t tables = 0;
  for (size_t at = 0; (at = watch.out.find("packets per second over", at)) != std::string::npos;
       ++at)
    ++tables;
  EXPECT_EQ(tables, 6u) << watch.out;
  // Some table saw echo requests arrive at drop-icmp and be dropped: a non-zero rate.
  std::regex busy(R"(drop-icmp +[1-9][0-9.]* +0\.0 +[1-9][0-9.]* )");
  EXPECT_TRUE(std::regex_search(watch.out, busy)) << watch.out;
  // The last table's total is every echo request sent.
  std::smatch last;
  std::string::const_iterator from = watch.out.begin();
  std::string total;
  std::regex row(R"(drop-icmp( +[0-9.]+){7} +([0-9]+))"); // entered, 5 verdicts, other
  while (std::regex_search(from, watch.out.cend(), last, row)) {
    total = last[2];
    from = last[0].second;
  }
  EXPECT_EQ(total, "20") << watch.out;
}

} // namespace
} // namespace xdpchain::test

namespace xdpchain::test {
namespace {

using namespace std::chrono_literals;

// spec.interfaces with a glob: the agent resolves it in the DUT's namespace at start, and
// again on link events, so a link created later whose name matches gets the chain too.
TEST_F(AgentNetnsTest, NewLinkMatchingTheGlobGetsItsChainWithinOneSecond) {
  std::string text = std::regex_replace(
      manifest("edge", {{"drop-icmp", "xdp_drop_icmp"}, {"pass", "xdp_pass"}}),
      std::regex("  interface: [^\n]*\n"), "  interfaces: ['" + iface() + "*']\n");
  write("edge.yaml", text);
  auto agent = start_agent(/*resync_seconds=*/60); // only the link event can select it
  ASSERT_EQ(labels(), kChain) << agent->log();
  expect_chain_verdicts();

  const std::string added = iface() + "n"; // matches the glob
  const std::string other = "o" + iface(); // its peer: does not
  auto started = std::chrono::steady_clock::now();
  CommandResult link =
      net().exec_dut({"ip", "link", "add", added, "type", "veth", "peer", "name", other});
  ASSERT_EQ(link.exit_code, 0) << link;
  auto chain_of = [&](const std::string &ifname) {
    auto st = nlohmann::json::parse(xdpchain({"status", ifname, "--json"}).out, nullptr, false);
    std::vector<std::string> out;
    if (st.is_discarded() || st.value("chains", nlohmann::json::array()).empty()) return out;
    for (const auto &p : st["chains"][0].value("programs", nlohmann::json::array()))
      out.push_back(p.value("label", std::string()));
    return out;
  };
  ASSERT_TRUE(wait_until([&] { return chain_of(added) == kChain; }, 1s))
      << "the new link '" << added << "' did not get its chain within 1 s\n"
      << xdpchain({"status", added, "--json"}) << agent->log();
  RecordProperty("new_link_to_chain_ms",
                 static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                      std::chrono::steady_clock::now() - started)
                                      .count()));
  EXPECT_TRUE(chain_of(other).empty()) << "'" << other << "' does not match the glob";
  EXPECT_EQ(labels(), kChain) << "the first veth keeps its chain";
  expect_chain_verdicts();
  EXPECT_GE(agent->metric("xdpchain_interface_events_total{event=\"appeared\"}"), 1);
}

// SIGHUP reads every file again and applies every chain at once, without waiting for the
// resync period: a chain removed by hand is back long before the 60 s resync.
TEST_F(AgentNetnsTest, SighupReloadsAndAppliesEveryChain) {
  write_chain();
  auto agent = start_agent(/*resync_seconds=*/60);
  ASSERT_EQ(labels(), kChain) << agent->log();
  ASSERT_EQ(xdpchain({"remove", iface(), "--all"}).exit_code, 0);
  EXPECT_TRUE(labels().empty());
  agent->signal(SIGHUP);
  ASSERT_TRUE(wait_for_labels(kChain, 3s)) << agent->log();
  expect_chain_verdicts();
  EXPECT_NE(agent->log().find("SIGHUP: reloading"), std::string::npos) << agent->log();
  EXPECT_GE(agent->metric("xdpchain_config_reloads_total"), 1);
  EXPECT_EQ(agent->metric("xdpchain_apply_errors_total"), 0) << agent->log();
}

// interfaceSelector.primary: no default route in the DUT's namespace, so nothing is
// selected (logged, the agent keeps running); once a default route goes out through the
// veth, the next resync gives the veth the chain.
TEST_F(AgentNetnsTest, PrimarySelectorPicksTheDefaultRouteInterfaceOnceThereIsOne) {
  write("edge.yaml",
        std::regex_replace(manifest("edge", {{"drop-icmp", "xdp_drop_icmp"}, {"pass", "xdp_pass"}}),
                           std::regex("  interface: [^\n]*\n"),
                           "  interfaceSelector:\n    primary: true\n"));
  auto agent = start_agent(/*resync_seconds=*/1);
  EXPECT_NE(agent->log().find("spec.interfaceSelector {primary: true} matches no interface"),
            std::string::npos)
      << agent->log();
  EXPECT_TRUE(labels().empty());
  CommandResult route = net().exec_dut({"ip", "route", "add", "default", "via", net().peer().ipv4});
  ASSERT_EQ(route.exit_code, 0) << route;
  ASSERT_TRUE(wait_for_labels(kChain, 3s)) << agent->log();
  expect_chain_verdicts();
}

// A glob that matches nothing is logged and counted, not fatal: the agent keeps running.
TEST_F(AgentNetnsTest, SelectionMatchingNothingIsLoggedAndCounted) {
  std::string text =
      std::regex_replace(manifest("edge", {{"drop-icmp", "xdp_drop_icmp"}, {"pass", "xdp_pass"}}),
                         std::regex("  interface: [^\n]*\n"), "  interfaces: ['nomatch*']\n");
  write("edge.yaml", text);
  auto agent = start_agent();
  ASSERT_TRUE(wait_until(
      [&] { return agent->log().find("matches no interface") != std::string::npos; }, 5s))
      << agent->log();
  EXPECT_NE(agent->log().find("document 'edge': spec.interfaces [nomatch*] matches no interface"),
            std::string::npos)
      << agent->log();
  EXPECT_GE(agent->metric("xdpchain_apply_errors_total"), 1);
  EXPECT_EQ(agent->http_get("/healthz").find("xdpchain_agent_up 1") != std::string::npos, true);
  EXPECT_TRUE(labels().empty());
}

} // namespace
} // namespace xdpchain::test
