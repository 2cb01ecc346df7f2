// Realistic XDP programs from tests/compiler/bench/, each built twice: from its .lisp by
// our compiler and from its C twin by clang (at build time). Both builds are loaded into
// this kernel and run with BPF_PROG_TEST_RUN on crafted packets; every check (verdicts,
// the packet bytes out, map contents) must hold for both.
#include "twin_builds.h"

#include "compiler/compile.h"
#include "tests/support/packet_builder.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <linux/bpf.h>

#include <cstring>
#include <ctime>
#include <set>

using namespace xdpchain::compiler;
using namespace xdpchain::compiler::testing;
using xdpchain::test::internet_checksum;
using xdpchain::test::PacketBuilder;

namespace {

uint32_t ip(const char *text) {
  in_addr a{};
  inet_pton(AF_INET, text, &a);
  return a.s_addr;
}

uint64_t monotonic_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

// Whether the IPv4 header checksum and the TCP/UDP/ICMP checksum of an Ethernet frame
// (20-byte IPv4 header) are right; a UDP checksum of 0 means none.
bool checksums_valid(const std::vector<uint8_t> &p) {
  if (internet_checksum(&p[14], 20) != 0) return false;
  uint8_t proto = p[23];
  size_t l4_len = p.size() - 34;
  if (proto == 1) return internet_checksum(&p[34], l4_len) == 0;
  if (proto == 17 && p[40] == 0 && p[41] == 0) return true;
  uint32_t pseudo = 0;
  for (size_t i = 26; i < 34; i += 2)
    pseudo += (p[i] << 8) | p[i + 1];
  pseudo += proto + static_cast<uint32_t>(l4_len);
  return internet_checksum(&p[34], l4_len, pseudo) == 0;
}

// ---- LPM-trie prefilter -------------------------------------------------------------

struct Prefix {
  uint32_t prefixlen, addr;
};
struct Rule {
  uint32_t action, pad;
  uint64_t hits;
};

TEST(RealisticPrograms, LpmPrefilterDropsByLongestMatchingPrefix) {
  for (Build &b : both_builds("bench", "lpm_prefilter")) {
    SCOPED_TRACE(b.label);
    int prog = b.obj.prog_fd("lpm_prefilter");
    int rules = b.obj.map_fd("prefilter");
    Prefix wide{8, ip("10.0.0.0")}, narrow{16, ip("10.1.0.0")};
    Rule drop{1, 0, 0}, allow{0, 0, 0};
    ASSERT_EQ(bpf_map_update_elem(rules, &wide, &drop, BPF_ANY), 0);
    ASSERT_EQ(bpf_map_update_elem(rules, &narrow, &allow, BPF_ANY), 0);
    auto in_wide = PacketBuilder().ipv4("10.9.8.7", "192.0.2.1").udp(1000, 53).build();
    auto in_narrow = PacketBuilder().ipv4("10.1.2.3", "192.0.2.1").tcp(1000, 80).build();
    auto outside = PacketBuilder().ipv4("192.168.0.1", "192.0.2.1").udp(1000, 53).build();
    RunResult r = test_run(prog, in_wide);
    EXPECT_EQ(r.retval, XDP_DROP);
    r = test_run(prog, in_narrow);
    EXPECT_EQ(r.retval, XDP_PASS);
    EXPECT_EQ(r.data, in_narrow);
    EXPECT_EQ(test_run(prog, in_wide).retval, XDP_DROP);
    EXPECT_EQ(test_run(prog, outside).retval, XDP_PASS);
    EXPECT_EQ(test_run(prog, PacketBuilder().ethertype(0x0806).build()).retval, XDP_PASS);
    Rule got{};
    ASSERT_EQ(bpf_map_lookup_elem(rules, &wide, &got), 0);
    EXPECT_EQ(got.hits, 2u);
    ASSERT_EQ(bpf_map_lookup_elem(rules, &narrow, &got), 0);
    EXPECT_EQ(got.hits, 1u);
    int stats = b.obj.map_fd("prefilter_stats");
    EXPECT_EQ(map_u64(stats, 0), 4u); // IPv4 packets looked up
    EXPECT_EQ(map_u64(stats, 1), 3u); // matched
    EXPECT_EQ(map_u64(stats, 2), 2u); // dropped
  }
}

// ---- L4 policy with a struct key ----------------------------------------------------

struct PolicyKey {
  uint32_t daddr;
  uint16_t dport;
  uint8_t proto, pad;
};
struct Policy {
  uint32_t verdict, hits;
};

TEST(RealisticPrograms, L4PolicyReturnsTheVerdictOfTheMatchingFlow) {
  for (Build &b : both_builds("bench", "l4_policy")) {
    SCOPED_TRACE(b.label);
    int prog = b.obj.prog_fd("l4_policy");
    int policies = b.obj.map_fd("policies");
    PolicyKey web{ip("10.0.0.2"), htons(80), 6, 0}, dns{ip("10.0.0.2"), htons(53), 17, 0};
    Policy drop{XDP_DROP, 0}, tx{XDP_TX, 0};
    ASSERT_EQ(bpf_map_update_elem(policies, &web, &drop, BPF_ANY), 0);
    ASSERT_EQ(bpf_map_update_elem(policies, &dns, &tx, BPF_ANY), 0);
    auto tcp80 = PacketBuilder().ipv4("10.0.0.1", "10.0.0.2").tcp(4000, 80).build();
    auto udp53 = PacketBuilder().ipv4("10.0.0.1", "10.0.0.2").udp(4000, 53).build();
    auto udp80 = PacketBuilder().ipv4("10.0.0.1", "10.0.0.2").udp(4000, 80).build();
    auto other_host = PacketBuilder().ipv4("10.0.0.1", "10.0.0.3").tcp(4000, 80).build();
    auto icmp = PacketBuilder().ipv4("10.0.0.1", "10.0.0.2").icmp_echo().build();
    EXPECT_EQ(test_run(prog, tcp80).retval, XDP_DROP);
    EXPECT_EQ(test_run(prog, tcp80).retval, XDP_DROP);
    RunResult r = test_run(prog, udp53);
    EXPECT_EQ(r.retval, XDP_TX);
    EXPECT_EQ(r.data, udp53);
    EXPECT_EQ(test_run(prog, udp80).retval, XDP_PASS);
    EXPECT_EQ(test_run(prog, other_host).retval, XDP_PASS);
    EXPECT_EQ(test_run(prog, icmp).retval, XDP_PASS);
    Policy got{};
    ASSERT_EQ(bpf_map_lookup_elem(policies, &web, &got), 0);
    EXPECT_EQ(got.hits, 2u);
    ASSERT_EQ(bpf_map_lookup_elem(policies, &dns, &got), 0);
    EXPECT_EQ(got.hits, 1u);
    EXPECT_EQ(map_u64(b.obj.map_fd("unmatched"), 0), 2u); // udp80 and other_host
  }
}

// ---- ICMP echo responder --------------------------------------------------------------

// The reply as the test expects it: addresses swapped, TTL 64, type 0, both checksums
// computed from scratch.
std::vector<uint8_t> expected_reply(std::vector<uint8_t> p) {
  for (int i = 0; i < 6; ++i)
    std::swap(p[i], p[6 + i]);
  for (int i = 0; i < 4; ++i)
    std::swap(p[26 + i], p[30 + i]);
  p[22] = 64;
  p[24] = p[25] = 0;
  uint16_t ip_sum = internet_checksum(&p[14], 20);
  p[24] = static_cast<uint8_t>(ip_sum >> 8), p[25] = static_cast<uint8_t>(ip_sum);
  p[34] = 0;
  p[36] = p[37] = 0;
  uint16_t icmp_sum = internet_checksum(&p[34], p.size() - 34);
  p[36] = static_cast<uint8_t>(icmp_sum >> 8), p[37] = static_cast<uint8_t>(icmp_sum);
  return p;
}

TEST(RealisticPrograms, IcmpEchoAnswersRequestsWithTheRewrittenPacket) {
  for (Build &b : both_builds("bench", "icmp_echo")) {
    SCOPED_TRACE(b.label);
    int prog = b.obj.prog_fd("icmp_echo");
    int replies = 0;
    // TTLs and ids around the values where the incremental update carries.
    for (uint8_t ttl : {1, 63, 64, 65, 255})
      for (uint16_t id : {0x0000, 0x0001, 0x00f7, 0xf7ff, 0xffff}) {
        auto request = PacketBuilder()
                           .ipv4("192.0.2.10", "198.51.100.1", ttl)
                           .icmp_echo(id, static_cast<uint16_t>(id ^ 0x5a5a))
                           .payload_size(id % 7 + 8)
                           .build();
        RunResult r = test_run(prog, request);
        ++replies;
        ASSERT_EQ(r.retval, XDP_TX) << "ttl " << int(ttl) << " id " << id;
        EXPECT_EQ(r.data, expected_reply(request)) << "ttl " << int(ttl) << " id " << id;
        EXPECT_TRUE(checksums_valid(r.data));
      }
    auto reply =
        expected_reply(PacketBuilder().ipv4("192.0.2.10", "198.51.100.1").icmp_echo().build());
    RunResult r = test_run(prog, reply);
    EXPECT_EQ(r.retval, XDP_PASS);
    EXPECT_EQ(r.data, reply);
    EXPECT_EQ(
        test_run(prog, PacketBuilder().ipv4("192.0.2.10", "198.51.100.1").udp(7, 7).build()).retval,
        XDP_PASS);
    std::vector<uint8_t> cut =
        PacketBuilder().ipv4("192.0.2.10", "198.51.100.1").icmp_echo().build();
    cut.resize(40);
    EXPECT_EQ(test_run(prog, cut).retval, XDP_PASS);
    EXPECT_EQ(map_u64(b.obj.map_fd("echo_stats"), 0), static_cast<uint64_t>(replies));
  }
}

// ---- NodePort DNAT ----------------------------------------------------------------------

struct Backend {
  uint32_t addr;
  uint16_t port, pad;
};

TEST(RealisticPrograms, NodePortDnatSpreadsFlowsOverBackendsWithValidChecksums) {
  for (Build &b : both_builds("bench", "nodeport_dnat")) {
    SCOPED_TRACE(b.label);
    int prog = b.obj.prog_fd("nodeport_dnat");
    Backend backends[2] = {{ip("10.1.0.1"), htons(8080), 0}, {ip("10.1.0.2"), htons(9090), 0}};
    auto to_nodeport = [](bool tcp, uint16_t sport) {
      PacketBuilder pb;
      pb.ipv4("198.51.100.7", "192.0.2.1");
      tcp ? pb.tcp(sport, 30080, 0x18) : pb.udp(sport, 30080);
      return pb.payload_size(sport % 13).build();
    };
    // No backends configured yet: untouched.
    auto first = to_nodeport(true, 1);
    RunResult r = test_run(prog, first);
    EXPECT_EQ(r.retval, XDP_PASS);
    EXPECT_EQ(r.data, first);
    for (uint32_t i = 0; i < 2; ++i)
      ASSERT_EQ(bpf_map_update_elem(b.obj.map_fd("backends"), &i, &backends[i], BPF_ANY), 0);
    uint32_t zero = 0;
    uint64_t count = 2;
    ASSERT_EQ(bpf_map_update_elem(b.obj.map_fd("nodeport_config"), &zero, &count, BPF_ANY), 0);
    uint64_t chosen[2] = {0, 0};
    for (int n = 0; n < 128; ++n) {
      bool tcp = n % 2 == 0;
      auto in = to_nodeport(tcp, static_cast<uint16_t>(40000 + n * 97));
      r = test_run(prog, in);
      ASSERT_EQ(r.retval, XDP_PASS);
      ASSERT_EQ(r.data.size(), in.size());
      uint32_t daddr;
      uint16_t dport;
      std::memcpy(&daddr, &r.data[30], 4);
      std::memcpy(&dport, &r.data[36], 2);
      int which = daddr == backends[0].addr ? 0 : daddr == backends[1].addr ? 1 : -1;
      ASSERT_GE(which, 0) << "packet " << n << " went to no backend";
      EXPECT_EQ(dport, backends[which].port);
      ++chosen[which];
      EXPECT_TRUE(checksums_valid(r.data)) << "packet " << n << (tcp ? " tcp" : " udp");
      // Everything else is as it came in.
      std::vector<uint8_t> expect = in;
      std::memcpy(&expect[30], &r.data[30], 4);
      std::memcpy(&expect[36], &r.data[36], 2);
      std::memcpy(&expect[24], &r.data[24], 2);                       // IPv4 checksum
      std::memcpy(&expect[tcp ? 50 : 40], &r.data[tcp ? 50 : 40], 2); // L4 checksum
      EXPECT_EQ(r.data, expect) << "packet " << n;
    }
    EXPECT_GT(chosen[0], 0u);
    EXPECT_GT(chosen[1], 0u);
    EXPECT_EQ(map_u64(b.obj.map_fd("backend_hits"), 0), chosen[0]);
    EXPECT_EQ(map_u64(b.obj.map_fd("backend_hits"), 1), chosen[1]);
    // A UDP packet without checksum keeps none; other ports are untouched.
    auto no_sum = to_nodeport(false, 5);
    no_sum[40] = no_sum[41] = 0;
    r = test_run(prog, no_sum);
    EXPECT_EQ(r.data[40], 0);
    EXPECT_EQ(r.data[41], 0);
    EXPECT_EQ(internet_checksum(&r.data[14], 20), 0);
    auto other = PacketBuilder().ipv4("198.51.100.7", "192.0.2.1").tcp(5, 30081).build();
    r = test_run(prog, other);
    EXPECT_EQ(r.data, other);
  }
}

// ---- Connection tracking with timestamps --------------------------------------------

struct Flow {
  uint32_t saddr, daddr;
  uint16_t sport, dport;
  uint8_t proto, pad1;
  uint16_t pad2;
};
struct CtEntry {
  uint64_t first_seen, last_seen, packets, bytes;
  uint32_t tcp_flags, pad;
};

TEST(RealisticPrograms, ConntrackRecordsFlowsWithTimestampsAndDropsUnknownOnes) {
  for (Build &b : both_builds("bench", "conntrack")) {
    SCOPED_TRACE(b.label);
    int prog = b.obj.prog_fd("conntrack");
    int table = b.obj.map_fd("connections");
    auto segment = [](uint8_t flags, uint16_t sport, size_t payload) {
      return PacketBuilder()
          .ipv4("10.0.0.1", "10.0.0.2")
          .tcp(sport, 443, flags)
          .payload_size(payload)
          .build();
    };
    Flow key{ip("10.0.0.1"), ip("10.0.0.2"), htons(5555), htons(443), 6, 0, 0};
    uint64_t before = monotonic_ns();
    auto syn = segment(0x02, 5555, 0);
    EXPECT_EQ(test_run(prog, syn).retval, XDP_PASS);
    uint64_t after = monotonic_ns();
    CtEntry e{};
    ASSERT_EQ(bpf_map_lookup_elem(table, &key, &e), 0);
    EXPECT_GE(e.first_seen, before);
    EXPECT_LE(e.first_seen, after);
    EXPECT_EQ(e.last_seen, e.first_seen);
    EXPECT_EQ(e.packets, 1u);
    EXPECT_EQ(e.bytes, syn.size());
    EXPECT_EQ(e.tcp_flags, 0x02u);
    auto ack = segment(0x10, 5555, 100);
    RunResult r = test_run(prog, ack);
    EXPECT_EQ(r.retval, XDP_PASS);
    EXPECT_EQ(r.data, ack);
    uint64_t first = e.first_seen;
    ASSERT_EQ(bpf_map_lookup_elem(table, &key, &e), 0);
    EXPECT_EQ(e.first_seen, first);
    EXPECT_GT(e.last_seen, first);
    EXPECT_LE(e.last_seen, monotonic_ns());
    EXPECT_EQ(e.packets, 2u);
    EXPECT_EQ(e.bytes, syn.size() + ack.size());
    EXPECT_EQ(e.tcp_flags, 0x12u);
    // An ACK or SYN-ACK of a flow never seen is dropped and creates nothing.
    EXPECT_EQ(test_run(prog, segment(0x10, 6666, 0)).retval, XDP_DROP);
    EXPECT_EQ(test_run(prog, segment(0x12, 6666, 0)).retval, XDP_DROP);
    Flow unknown = key;
    unknown.sport = htons(6666);
    EXPECT_FALSE(map_has(table, &unknown));
    // RST ends the flow.
    EXPECT_EQ(test_run(prog, segment(0x14, 5555, 0)).retval, XDP_PASS);
    EXPECT_FALSE(map_has(table, &key));
    EXPECT_EQ(test_run(prog, segment(0x10, 5555, 0)).retval, XDP_DROP);
    int stats = b.obj.map_fd("ct_stats");
    EXPECT_EQ(map_u64(stats, 0), 1u); // created
    EXPECT_EQ(map_u64(stats, 1), 2u); // packets of known flows (ACK, RST)
    EXPECT_EQ(map_u64(stats, 2), 3u); // dropped
    EXPECT_EQ(map_u64(stats, 3), 1u); // reset
  }
}

} // namespace
