// Failures leave the interface as it was; another tool's program is respected; nothing is
// left behind after `remove --all`; backend selection and unsupported modes fail clearly.
#include "tests/chain/chain_fixture.h"
#include "tests/support/bpf_kernel.h"
#include "tests/support/bpffs.h"

#include <filesystem>

namespace xdpchain::test {
namespace {

using Labels = std::vector<std::string>;
using nlohmann::json;

// Every program, entry program and link id that `status` reports.
struct ChainIds {
  std::vector<uint32_t> progs;
  std::vector<uint32_t> links;
};

ChainIds ids_of(const json &st) {
  ChainIds ids;
  auto add = [](std::vector<uint32_t> &to, uint32_t id) {
    if (id != 0) to.push_back(id);
  };
  add(ids.progs, st.value("dispatcher_prog_id", 0u));
  add(ids.links, st.value("xdp_link_id", 0u));
  for (const auto &p : st.value("programs", json::array())) {
    add(ids.progs, p.value("prog_id", 0u));
    add(ids.progs, p.value("entry_prog_id", 0u));
    add(ids.links, p.value("link_id", 0u));
  }
  return ids;
}

// The chain as far as a user can see it, minus the counters (which traffic changes).
json without_counters(json st) {
  for (auto &p : st["programs"])
    p.erase("counters");
  return st;
}

TEST_P(ChainTest, ProgramRefusedByTheVerifierLeavesTheChainUnchanged) {
  ASSERT_CMD_OK(add("xdp_drop_icmp", {"--name", "dropper", "--priority", "10"}));
  ASSERT_CMD_OK(add("xdp_pass", {"--name", "pass", "--priority", "20"}));
  const json before = status();
  const auto pins_before = list_pins(cli().bpffs_root());

  CommandResult refused = add("xdp_bad_access", {"--name", "bad", "--priority", "15"});
  EXPECT_EQ(refused.exit_code, 2) << "a program the verifier refuses is bad input: " << refused;
  EXPECT_NE(refused.err.find("xdp_bad_access"), std::string::npos)
      << "the error must name the program: " << refused;
  EXPECT_NE(refused.err.find("invalid access to packet"), std::string::npos)
      << "the error must show the verifier's words: " << refused;

  EXPECT_EQ(without_counters(status()), without_counters(before)) << "the chain changed";
  EXPECT_EQ(list_pins(cli().bpffs_root()), pins_before) << "the failed add left pins behind";
  EXPECT_EQ(net().ping(3), 0) << "the old chain stopped dropping ping";
  EXPECT_EQ(net().send_udp(7000, 3), 3);
  EXPECT_EQ(counters(status(), "pass"), counts_of(3, "pass")) << "the old chain stopped running";
}

TEST_P(ChainTest, ForeignProgramIsReportedAndOnlyReplacedWithForce) {
  const std::string ip_mode = mode() == "native" ? "xdpdrv" : "xdpgeneric";
  CommandResult attach = net().exec_dut({"ip", "link", "set", "dev", iface(), ip_mode, "obj",
                                         prog_path("xdp_drop_icmp"), "sec", "xdp"});
  ASSERT_EQ(attach.exit_code, 0) << attach;
  const json xdp = net().dut_xdp();
  ASSERT_TRUE(xdp.contains("prog")) << xdp.dump();
  const uint32_t foreign_id = xdp["prog"].value("id", 0u);
  ASSERT_EQ(net().ping(2), 0);

  json st = status();
  EXPECT_FALSE(st.value("present", true));
  EXPECT_NE(st.value("foreign_program", ""), "") << "status must report the foreign program";

  CommandResult refused = add("xdp_pass", {"--name", "pass"});
  EXPECT_EQ(refused.exit_code, 4) << refused;
  EXPECT_NE(refused.err.find("--force"), std::string::npos)
      << "the error should say how to replace it anyway: " << refused;
  EXPECT_EQ(net().dut_xdp()["prog"].value("id", 0u), foreign_id) << "foreign program replaced";
  EXPECT_EQ(net().ping(2), 0);

  ASSERT_CMD_OK(add("xdp_pass", {"--name", "pass", "--force"}));
  st = status();
  EXPECT_TRUE(st.value("present", false));
  EXPECT_EQ(st.value("foreign_program", "?"), "");
  EXPECT_EQ(labels(st), (Labels{"pass"}));
  EXPECT_NE(net().dut_xdp()["prog"].value("id", 0u), foreign_id);
  EXPECT_EQ(net().ping(3), 3);
}

TEST_P(ChainTest, ProgramLoadedByLibxdpIsForeign) {
  // xdp-loader builds libxdp's dispatcher where the kernel allows freplace (the VM), and
  // attaches the program directly where it does not (this host): foreign either way.
  struct Dir {
    std::string path = bpffs_mount() + "/" + unique_name("libxdp-test-");
    ~Dir() {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  } libxdp_bpffs;
  std::filesystem::create_directories(libxdp_bpffs.path);
  CommandResult load =
      net().exec_dut({"env", "LIBXDP_BPFFS=" + libxdp_bpffs.path, "xdp-loader", "load", "-m",
                      mode() == "native" ? "native" : "skb", iface(), prog_path("xdp_drop_icmp")});
  ASSERT_EQ(load.exit_code, 0) << load;
  const json xdp = net().dut_xdp();
  ASSERT_TRUE(xdp.contains("prog")) << xdp.dump();
  const bool dispatcher = xdp["prog"].value("name", "") == "xdp_dispatcher";
  if (in_test_vm()) {
    EXPECT_TRUE(dispatcher) << "libxdp should build its dispatcher in the VM";
  }
  ASSERT_EQ(net().ping(2), 0);

  json st = status();
  EXPECT_FALSE(st.value("present", true));
  const std::string foreign = st.value("foreign_program", "");
  EXPECT_NE(foreign, "") << "status must report the libxdp program";
  if (dispatcher) {
    EXPECT_NE(foreign.find("libxdp"), std::string::npos) << "say it is libxdp's: " << foreign;
  }

  CommandResult refused = add("xdp_pass", {"--name", "pass"});
  EXPECT_EQ(refused.exit_code, 4) << refused;
  EXPECT_EQ(net().ping(2), 0) << "the libxdp chain was touched";

  ASSERT_CMD_OK(add("xdp_pass", {"--name", "pass", "--force"}));
  EXPECT_EQ(labels(status()), (Labels{"pass"}));
  EXPECT_EQ(net().ping(3), 3);
}

TEST_P(ChainTest, RemoveAllLeavesNothingBehind) {
  ASSERT_CMD_OK(add("xdp_pass", {"--name", "pass", "--priority", "10"}));
  ASSERT_CMD_OK(add("xdp_count", {"--name", "counter", "--priority", "20"}));
  ASSERT_CMD_OK(add("xdp_drop_icmp", {"--name", "dropper", "--priority", "30"}));
  ASSERT_EQ(net().ping(2), 0);
  const json st = status();
  const ChainIds ids = ids_of(st);
  ASSERT_FALSE(ids.progs.empty());
  std::vector<uint32_t> maps;
  for (uint32_t id : ids.progs)
    if (prog_exists(id))
      for (uint32_t map : prog_map_ids(id))
        maps.push_back(map);
  ASSERT_FALSE(list_pins(cli().bpffs_root()).empty()) << "the chain pins nothing?";

  ASSERT_CMD_OK(cli().run({"remove", iface(), "--all"}));

  const json after = status();
  EXPECT_FALSE(after.value("present", true)) << after.dump(2);
  EXPECT_TRUE(after.value("programs", json::array()).empty()) << after.dump(2);
  EXPECT_TRUE(net().dut_xdp().is_null()) << "XDP still attached: " << net().dut_xdp().dump();
  EXPECT_EQ(list_pins(cli().bpffs_root()), std::vector<std::string>{});
  for (uint32_t id : ids.progs)
    EXPECT_TRUE(prog_gone(id)) << "program " << id << " still loaded";
  for (uint32_t id : ids.links)
    EXPECT_TRUE(link_gone(id)) << "link " << id << " still exists";
  for (uint32_t id : maps)
    EXPECT_TRUE(map_gone(id)) << "map " << id << " still exists";
  EXPECT_EQ(net().ping(3), 3);
}

TEST_P(BackendTest, NativeModeWhereTheDriverLacksItFailsNamingGeneric) {
  // Loopback has no native XDP (no ndo_bpf), in every kernel we test on.
  json features = cli().features("lo");
  EXPECT_FALSE(features["native"].value("supported", true)) << features.dump(2);
  EXPECT_TRUE(features["generic"].value("supported", false)) << features.dump(2);

  CommandResult refused =
      add_to("lo", "xdp_pass", {"--mode", "native", "--backend", backend(), "--name", "pass"});
  EXPECT_EQ(refused.exit_code, 3) << refused;
  EXPECT_NE(refused.err.find("generic"), std::string::npos)
      << "the error should point to generic mode: " << refused;
  EXPECT_FALSE(cli().status("lo").value("present", true));
  EXPECT_EQ(list_pins(cli().bpffs_root()), std::vector<std::string>{});

  ASSERT_CMD_OK(
      add_to("lo", "xdp_pass", {"--mode", "generic", "--backend", backend(), "--name", "pass"}));
  json st = cli().status("lo");
  EXPECT_TRUE(st.value("present", false));
  EXPECT_EQ(st.value("mode", ""), "generic");
  ASSERT_CMD_OK(cli().run({"remove", "lo", "--all"}));
}

// Backend "auto" (the default): freplace where the probe says it works, else tailcall.
TEST(BackendSelection, AutoPicksWhatTheProbeAllows) {
  const json features = XdpchainCli().features();
  const std::string expected =
      features["freplace"].value("supported", false) ? "freplace" : "tailcall";
  NetnsPair net;
  XdpchainCli cli(net.dut().netns);
  ASSERT_CMD_OK(cli.run({"add", net.dut().ifname, prog_path("xdp_drop_icmp")}));
  const json st = cli.status(net.dut().ifname);
  EXPECT_EQ(st.value("backend", ""), expected) << features.dump(2);
  EXPECT_EQ(st.value("mode", ""), "native") << "the default mode is native";
  EXPECT_EQ(net.ping(3), 0);
}

// Where the kernel refuses freplace, forcing it fails with the probe's reason and leaves
// nothing behind (issue 2: "on the host, add fails cleanly").
TEST(BackendSelection, ForcedFreplaceWhereRefusedFailsCleanly) {
  const json features = XdpchainCli().features();
  if (features["freplace"].value("supported", false))
    GTEST_SKIP() << "freplace works on this kernel: nothing to refuse";
  const std::string reason = features["freplace"].value("reason", "");
  NetnsPair net;
  XdpchainCli cli(net.dut().netns);
  CommandResult refused =
      cli.run({"add", net.dut().ifname, prog_path("xdp_pass"), "--backend", "freplace"});
  EXPECT_EQ(refused.exit_code, 3) << refused;
  EXPECT_NE(refused.err.find("freplace"), std::string::npos) << refused;
  EXPECT_TRUE(!reason.empty() && refused.err.find(reason) != std::string::npos)
      << "the error should carry the probe's reason '" << reason << "': " << refused;
  EXPECT_FALSE(cli.status(net.dut().ifname).value("present", true));
  EXPECT_TRUE(net.dut_xdp().is_null());
  EXPECT_EQ(list_pins(cli.bpffs_root()), std::vector<std::string>{});
}

} // namespace
} // namespace xdpchain::test
