// Refusals a user meets on the way to a first chain, with the reason and the documented exit
// code: a member that is not frags-aware on an interface whose MTU needs frags (exit 3), an
// object with very many programs whose hint names a bounded list, and programs the kernel
// runs from a CPU or device map (exit 2).
#include "tests/support/bpffs.h"
#include "tests/support/netns_pair.h"
#include "tests/support/xdpchain_cli.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace xdpchain::test {
namespace {

namespace fs = std::filesystem;

TEST(AttachRefusals, MemberNotFragsAwareOnALargeMtuIsNotSupportedWithTheReason) {
  NetnsPair net;
  XdpchainCli cli{net.dut().netns};
  const std::string iface = net.dut().ifname;
  ASSERT_EQ(net.exec_dut({"ip", "link", "set", "dev", iface, "mtu", "9000"}).exit_code, 0);
  ASSERT_EQ(net.exec_peer({"ip", "link", "set", "dev", net.peer().ifname, "mtu", "9000"}).exit_code,
            0);
  for (const char *backend : {"tailcall", "fused"}) {
    CommandResult r =
        cli.run({"add", iface, prog_path("xdp_pass"), "--mode", "native", "--backend", backend});
    EXPECT_EQ(r.exit_code, 3) << backend << "\n" << r;
    EXPECT_NE(r.err.find("not frags-aware"), std::string::npos) << r;
    EXPECT_NE(r.err.find("xdp.frags"), std::string::npos) << r;
    EXPECT_TRUE(cli.status(iface).value("programs", nlohmann::json::array()).empty());
  }
  // A frags-aware member is taken on the same interface.
  CommandResult ok =
      cli.run({"add", iface, prog_path("xdp_frags"), "--mode", "native", "--backend", "tailcall"});
  EXPECT_EQ(ok.exit_code, 0) << ok;
  cli.run({"remove", iface, "--all"});
}

TEST(AttachRefusals, HintOfAnObjectWithManyProgramsIsBounded) {
  NetnsPair net;
  XdpchainCli cli{net.dut().netns};
  const std::string dir = fs::temp_directory_path() / unique_name("xdpchain-many-");
  fs::create_directories(dir);
  const std::string source = dir + "/many.lisp";
  {
    std::ofstream out(source);
    for (int i = 0; i < 300; ++i)
      out << "(defprog p" << i << " (:type :xdp) XDP_PASS)\n";
  }
  CommandResult r = cli.run({"add", net.dut().ifname, source});
  EXPECT_EQ(r.exit_code, 2) << r;
  EXPECT_NE(r.err.find("several XDP programs"), std::string::npos) << r;
  EXPECT_NE(r.err.find("p0, p1"), std::string::npos) << r;
  EXPECT_NE(r.err.find("and 280 more"), std::string::npos) << r;
  EXPECT_LT(r.err.size(), 1000u) << r;
  fs::remove_all(dir);
}

TEST(AttachRefusals, CpumapAndDevmapProgramsAreNotMembers) {
  NetnsPair net;
  XdpchainCli cli{net.dut().netns};
  const std::string iface = net.dut().ifname;
  for (const char *program : {"on_cpu", "on_dev"}) {
    CommandResult r = cli.run({"add", iface, prog_path("xdp_map_programs"), "--program", program,
                               "--backend", "tailcall"});
    EXPECT_EQ(r.exit_code, 2) << r;
    EXPECT_NE(r.err.find("never attaches to an interface"), std::string::npos) << r;
    EXPECT_NE(r.err.find(std::string(program) == "on_cpu" ? "cpumap" : "devmap"), std::string::npos)
        << r;
  }
  // Without --program, the device program is the one member the object offers.
  CommandResult ok =
      cli.run({"add", iface, prog_path("xdp_map_programs"), "--backend", "tailcall"});
  EXPECT_EQ(ok.exit_code, 0) << ok;
  auto programs = cli.status(iface).value("programs", nlohmann::json::array());
  ASSERT_EQ(programs.size(), 1u);
  EXPECT_EQ(programs[0].value("label", ""), "map_main");
  cli.run({"remove", iface, "--all"});
}

} // namespace
} // namespace xdpchain::test
