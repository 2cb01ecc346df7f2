// The namespace helpers on real namespaces (label netns: root, this kernel). The chain tests
// compare counters with the packets they send, which holds only if the pair carries
// exactly the test's traffic and nothing else; these tests check that, with XDP programs
// attached by iproute2 rather than by xdpchain.
#include "tests/support/bpf_kernel.h"
#include "tests/support/bpffs.h"
#include "tests/support/netns_pair.h"
#include "tests/support/xdpchain_cli.h"

#include <gtest/gtest.h>

#include <numeric>

namespace xdpchain::test {
namespace {

// Attaches `object`'s SEC("xdp") program to the DUT with iproute2 (`xdpdrv` or
// `xdpgeneric`) and returns its program id.
uint32_t attach_with_ip(const NetnsPair &pair, const std::string &mode, const std::string &object) {
  CommandResult r = run_command({"ip", "-n", pair.dut().netns, "link", "set", "dev",
                                 pair.dut().ifname, mode, "obj", object, "sec", "xdp"});
  EXPECT_EQ(r.exit_code, 0) << r;
  auto xdp = pair.dut_xdp();
  if (xdp.is_null() || !xdp.contains("prog")) {
    ADD_FAILURE() << "no XDP program on " << pair.dut().ifname << " after " << r.command;
    return 0;
  }
  return xdp["prog"]["id"].get<uint32_t>();
}

TEST(NetnsPair, CarriesPingAndUdp) {
  NetnsPair pair;
  EXPECT_NE(pair.dut().netns, pair.peer().netns);
  EXPECT_GT(pair.dut().ifindex, 0);
  EXPECT_TRUE(pair.dut_xdp().is_null());
  EXPECT_EQ(pair.ping(4), 4);
  EXPECT_EQ(pair.send_udp(5555, 10), 10);
}

TEST(NetnsPair, TwoPairsAreIndependent) {
  NetnsPair a, b;
  EXPECT_NE(a.dut().netns, b.dut().netns);
  EXPECT_NE(a.dut().ifname, b.dut().ifname);
  attach_with_ip(a, "xdpgeneric", prog_path("xdp_drop_icmp"));
  EXPECT_EQ(a.ping(3), 0);
  EXPECT_EQ(b.ping(3), 3);
}

TEST(NetnsPair, DestructorDeletesTheNamespaces) {
  std::string dut, peer;
  {
    NetnsPair pair;
    dut = pair.dut().netns;
    peer = pair.peer().netns;
    EXPECT_EQ(run_command({"ip", "netns", "pids", dut}).exit_code, 0);
  }
  EXPECT_NE(run_command({"ip", "netns", "pids", dut}).exit_code, 0) << dut << " still exists";
  EXPECT_NE(run_command({"ip", "netns", "pids", peer}).exit_code, 0) << peer << " still exists";
}

class NetnsPairXdp : public ::testing::TestWithParam<std::string> {};

TEST_P(NetnsPairXdp, DropperAttachedByIproute2DropsPingOnly) {
  NetnsPair pair;
  attach_with_ip(pair, GetParam(), prog_path("xdp_drop_icmp"));
  EXPECT_EQ(pair.ping(3), 0);
  EXPECT_EQ(pair.send_udp(5555, 10), 10);
  CommandResult off = run_command(
      {"ip", "-n", pair.dut().netns, "link", "set", "dev", pair.dut().ifname, GetParam(), "off"});
  ASSERT_EQ(off.exit_code, 0) << off;
  EXPECT_EQ(pair.ping(3), 3);
}

TEST_P(NetnsPairXdp, DutSeesExactlyTheTestTraffic) {
  NetnsPair pair;
  uint32_t prog_id = attach_with_ip(pair, GetParam(), prog_path("xdp_count"));
  ASSERT_NE(prog_id, 0u);
  auto map = find_map(prog_map_ids(prog_id), "proto_count");
  ASSERT_TRUE(map.has_value());
  ASSERT_EQ(pair.ping(5), 5);
  ASSERT_EQ(pair.send_udp(7777, 7), 7);
  uint64_t total = 0;
  for (uint32_t key = 0; key < 256; ++key)
    total += read_array_u64(*map, key);
  EXPECT_EQ(read_array_u64(*map, 1), 5u) << "ICMP echo requests";
  EXPECT_EQ(read_array_u64(*map, 17), 7u) << "UDP datagrams";
  EXPECT_EQ(total, 12u) << "packets other than the test's reached the DUT";
}

INSTANTIATE_TEST_SUITE_P(Modes, NetnsPairXdp, ::testing::Values("xdpdrv", "xdpgeneric"),
                         [](const auto &info) {
                           return info.param == "xdpdrv" ? "native" : "generic";
                         });

TEST(Bpffs, IsMountedAndCliRootsAreUnique) {
  std::string mount = bpffs_mount();
  XdpchainCli a, b;
  EXPECT_EQ(a.bpffs_root().rfind(mount + "/", 0), 0u) << a.bpffs_root();
  EXPECT_NE(a.bpffs_root(), b.bpffs_root());
}

} // namespace
} // namespace xdpchain::test
