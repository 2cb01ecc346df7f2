// The test programs do what their comments say: each one run on built packets with
// BPF_PROG_TEST_RUN (label kernel: needs root, no interfaces). The chain tests build on
// these behaviours, so a broken test program shows up here first, not as a chain bug.
#include "tests/support/bpf_kernel.h"
#include "tests/support/packet_builder.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <gtest/gtest.h>
#include <linux/bpf.h>
#include <xdp/libxdp.h>

#include <memory>

namespace xdpchain::test {
namespace {

std::string obj(const std::string &name) {
  return std::string(XDPCHAIN_PROGS_DIR) + "/" + name + ".o";
}

std::vector<uint8_t> icmp() {
  return PacketBuilder().ipv4("10.1.1.2", "10.1.1.1").icmp_echo().build();
}
std::vector<uint8_t> udp(uint16_t port) {
  return PacketBuilder().ipv4("10.1.1.2", "10.1.1.1").udp(40000, port).build();
}
std::vector<uint8_t> tcp(uint16_t port) {
  return PacketBuilder().ipv4("10.1.1.2", "10.1.1.1").tcp(40000, port).build();
}
std::vector<uint8_t> arp() {
  return PacketBuilder().ethertype(0x0806).payload_size(28).build();
}
// An IPv4 EtherType with no room for the IPv4 header: parsers must bounds-check it.
std::vector<uint8_t> truncated_ipv4() {
  return PacketBuilder().payload_size(4).build();
}

int run(const LoadedObject &object, const std::string &prog, const std::vector<uint8_t> &packet) {
  return test_run(object.program_fd(prog), packet).verdict;
}

TEST(PacketBuilder, Ipv4AndIcmpChecksumsVerify) {
  auto p = icmp();
  ASSERT_EQ(p.size(), 14u + 20 + 8 + 32);
  EXPECT_EQ(internet_checksum(&p[14], 20), 0) << "IPv4 header checksum";
  EXPECT_EQ(internet_checksum(&p[34], p.size() - 34), 0) << "ICMP checksum";
  EXPECT_EQ(p[12], 0x08);
  EXPECT_EQ(p[13], 0x00);
  EXPECT_EQ(p[23], 1) << "protocol ICMP";
}

TEST(Progs, XdpPassPassesEverything) {
  LoadedObject o(obj("xdp_pass"));
  for (const auto &packet : {icmp(), udp(53), tcp(80), arp(), truncated_ipv4()})
    EXPECT_EQ(verdict_name(run(o, "xdp_pass", packet)), "XDP_PASS");
}

TEST(Progs, XdpDropIcmpDropsOnlyIcmp) {
  LoadedObject o(obj("xdp_drop_icmp"));
  EXPECT_EQ(verdict_name(run(o, "xdp_drop_icmp", icmp())), "XDP_DROP");
  EXPECT_EQ(verdict_name(run(o, "xdp_drop_icmp", udp(53))), "XDP_PASS");
  EXPECT_EQ(verdict_name(run(o, "xdp_drop_icmp", tcp(80))), "XDP_PASS");
  EXPECT_EQ(verdict_name(run(o, "xdp_drop_icmp", arp())), "XDP_PASS");
  EXPECT_EQ(verdict_name(run(o, "xdp_drop_icmp", truncated_ipv4())), "XDP_PASS");
}

TEST(Progs, XdpCountCountsByProtocol) {
  LoadedObject o(obj("xdp_count"));
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(verdict_name(run(o, "xdp_count", icmp())), "XDP_PASS");
  for (int i = 0; i < 2; ++i)
    EXPECT_EQ(verdict_name(run(o, "xdp_count", udp(53))), "XDP_PASS");
  EXPECT_EQ(verdict_name(run(o, "xdp_count", tcp(80))), "XDP_PASS");
  EXPECT_EQ(verdict_name(run(o, "xdp_count", arp())), "XDP_PASS");
  int map = o.map_fd("proto_count");
  auto value = [map](uint32_t key) {
    uint64_t v = 0;
    EXPECT_EQ(bpf_map_lookup_elem(map, &key, &v), 0);
    return v;
  };
  EXPECT_EQ(value(1), 3u) << "ICMP";
  EXPECT_EQ(value(17), 2u) << "UDP";
  EXPECT_EQ(value(6), 1u) << "TCP";
  EXPECT_EQ(value(0), 1u) << "not IPv4";
}

TEST(Progs, EachVerdictProgramReturnsItsVerdict) {
  const std::pair<const char *, int> cases[] = {
      {"verdict_aborted", XDP_ABORTED},   {"verdict_drop", XDP_DROP},
      {"verdict_pass", XDP_PASS},         {"verdict_tx", XDP_TX},
      {"verdict_redirect", XDP_REDIRECT}, {"verdict_other", 7}};
  for (const auto &[name, verdict] : cases) {
    SCOPED_TRACE(name);
    LoadedObject o(obj(name));
    for (const auto &packet : {icmp(), udp(53), arp()})
      EXPECT_EQ(verdict_name(run(o, name, packet)), verdict_name(verdict));
  }
}

TEST(Progs, RunConfigDropsIcmpAndCarriesLibxdpMetadata) {
  LoadedObject o(obj("xdp_run_config"));
  EXPECT_EQ(verdict_name(run(o, "xdp_run_config_drop_icmp", icmp())), "XDP_DROP");
  EXPECT_EQ(verdict_name(run(o, "xdp_run_config_drop_icmp", udp(53))), "XDP_PASS");

  // libxdp's own reader sees priority 15 and chain calls on XDP_PASS and XDP_DROP only.
  std::unique_ptr<xdp_program, decltype(&xdp_program__close)> prog(
      xdp_program__open_file(obj("xdp_run_config").c_str(), "xdp", nullptr), xdp_program__close);
  ASSERT_EQ(libxdp_get_error(prog.get()), 0);
  EXPECT_EQ(xdp_program__run_prio(prog.get()), 15u);
  EXPECT_TRUE(xdp_program__chain_call_enabled(prog.get(), XDP_PASS));
  EXPECT_TRUE(xdp_program__chain_call_enabled(prog.get(), XDP_DROP));
  EXPECT_FALSE(xdp_program__chain_call_enabled(prog.get(), XDP_TX));
  EXPECT_FALSE(xdp_program__chain_call_enabled(prog.get(), XDP_ABORTED));
  EXPECT_FALSE(xdp_program__chain_call_enabled(prog.get(), XDP_REDIRECT));
}

TEST(Progs, MultiObjectHoldsThreeDistinctPrograms) {
  LoadedObject o(obj("xdp_multi"));
  EXPECT_EQ(o.program_names(),
            (std::vector<std::string>{"handler_pass", "handler_drop_icmp", "multi_main"}));
  EXPECT_EQ(verdict_name(run(o, "handler_pass", icmp())), "XDP_PASS");
  EXPECT_EQ(verdict_name(run(o, "handler_drop_icmp", icmp())), "XDP_DROP");
  EXPECT_EQ(verdict_name(run(o, "handler_drop_icmp", udp(53))), "XDP_PASS");
  EXPECT_EQ(verdict_name(run(o, "multi_main", icmp())), "XDP_PASS");
  EXPECT_EQ(verdict_name(run(o, "multi_main", udp(53))), "XDP_DROP");
}

TEST(Progs, FragsProgramHandlesMultiBufferPackets) {
  // libbpf loads SEC("xdp.frags") programs with BPF_F_XDP_HAS_FRAGS; the kernel does not
  // report that flag back, so check the section and the verdicts on a multi-buffer packet
  // (BPF_PROG_TEST_RUN puts the bytes past the first page into fragments).
  LoadedObject frags(obj("xdp_frags"));
  EXPECT_EQ(frags.section_name("xdp_frags_drop_icmp"), "xdp.frags");
  auto jumbo = PacketBuilder().ipv4("10.1.1.2", "10.1.1.1").icmp_echo().payload_size(6000).build();
  EXPECT_EQ(verdict_name(run(frags, "xdp_frags_drop_icmp", jumbo)), "XDP_DROP");
  EXPECT_EQ(verdict_name(run(frags, "xdp_frags_drop_icmp", udp(53))), "XDP_PASS");
}

TEST(Progs, DropUdpPortDropsOnlyThatPort) {
  LoadedObject o(obj("xdp_drop_udp_port"));
  EXPECT_EQ(verdict_name(run(o, "xdp_drop_udp_port", udp(9999))), "XDP_DROP");
  EXPECT_EQ(verdict_name(run(o, "xdp_drop_udp_port", udp(9998))), "XDP_PASS");
  EXPECT_EQ(verdict_name(run(o, "xdp_drop_udp_port", tcp(9999))), "XDP_PASS");
  EXPECT_EQ(verdict_name(run(o, "xdp_drop_udp_port", icmp())), "XDP_PASS");
  EXPECT_EQ(verdict_name(run(o, "xdp_drop_udp_port", truncated_ipv4())), "XDP_PASS");
}

TEST(Progs, BadAccessIsRefusedByTheVerifier) {
  std::string log = verifier_log_of_refused(obj("xdp_bad_access"));
  ASSERT_FALSE(log.empty()) << "the kernel accepted xdp_bad_access.o";
  EXPECT_NE(log.find("invalid access to packet"), std::string::npos) << log;
}

// The realistic benchmark's members (real_*.c): each passes an ordinary UDP datagram and
// drops what its comment says.
TEST(Progs, RealisticMembersDropWhatTheySayAndPassTheRest) {
  auto with = [](std::vector<uint8_t> p, size_t at, uint8_t value) {
    p[at] = value;
    return p;
  };
  auto vlan = [](uint16_t vid) {
    auto p = udp(5353);
    p[12] = 0x81, p[13] = 0x00, p[14] = vid >> 8, p[15] = vid & 0xff;
    return p;
  };
  const auto ttl1 = PacketBuilder().ipv4("10.1.1.2", "10.1.1.1", 1).udp(40000, 5353).build();
  struct Case {
    const char *name;
    std::vector<std::vector<uint8_t>> drops;
  };
  const Case cases[] = {
      {"real_count", {}},
      {"real_icmp_filter", {icmp()}},
      {"real_port_filter", {tcp(23), udp(445), tcp(3389)}},
      {"real_blocklist", {}}, // empty block list
      {"real_vlan_filter", {vlan(200)}},
      {"real_ttl_check", {ttl1}},
      {"real_frag_filter", {with(udp(5353), 20, 0x20), with(udp(5353), 21, 0x01)}},
      {"real_lpm_deny", {}}, // empty deny list
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(c.name);
    LoadedObject o(obj(c.name));
    for (const auto &packet : {udp(5353), tcp(80), arp(), truncated_ipv4(), vlan(100)})
      EXPECT_EQ(verdict_name(run(o, c.name, packet)), "XDP_PASS");
    for (const auto &packet : c.drops)
      EXPECT_EQ(verdict_name(run(o, c.name, packet)), "XDP_DROP");
  }
  LoadedObject blocklist(obj("real_blocklist"));
  uint32_t source = htonl(0x0a010102); // 10.1.1.2
  uint64_t hits = 0;
  ASSERT_EQ(bpf_map_update_elem(blocklist.map_fd("blocked_src"), &source, &hits, BPF_ANY), 0);
  EXPECT_EQ(verdict_name(run(blocklist, "real_blocklist", udp(5353))), "XDP_DROP");
  ASSERT_EQ(bpf_map_lookup_elem(blocklist.map_fd("blocked_src"), &source, &hits), 0);
  EXPECT_EQ(hits, 1u);
  LoadedObject lpm(obj("real_lpm_deny"));
  struct {
    uint32_t prefixlen, addr;
  } prefix = {16, htonl(0x0a010000)}; // 10.1.0.0/16
  uint32_t one = 1;
  ASSERT_EQ(bpf_map_update_elem(lpm.map_fd("deny_dst"), &prefix, &one, BPF_ANY), 0);
  EXPECT_EQ(verdict_name(run(lpm, "real_lpm_deny", udp(5353))), "XDP_DROP");
  EXPECT_EQ(verdict_name(run(lpm, "real_lpm_deny", arp())), "XDP_PASS");
}

} // namespace
} // namespace xdpchain::test
