// The packet macros on IPv4 headers with options (issue: with-udp at a fixed offset let a
// DNS query with IHL 6 past a UDP/53 blocker). twins/ip_options.lisp and its C twin run on
// crafted packets with IHL 5 to 15, malformed version/IHL bytes, truncated headers and
// fragments; both builds must give the same verdicts and map contents.
#include "twin_builds.h"

#include "tests/support/packet_builder.h"

#include <gtest/gtest.h>

#include <linux/bpf.h>

using namespace xdpchain::compiler::testing;
using xdpchain::test::internet_checksum;
using xdpchain::test::PacketBuilder;

namespace {

constexpr size_t kIp = 14; // the IPv4 header's offset in the frame

// `frame` (IHL 5) with IHL `ihl`: (ihl - 5) * 4 bytes of NOP options inserted after the
// fixed header, total length and header checksum updated.
std::vector<uint8_t> with_options(std::vector<uint8_t> frame, unsigned ihl) {
  frame.insert(frame.begin() + kIp + 20, (ihl - 5) * 4, 0x01);
  frame[kIp] = static_cast<uint8_t>(0x40 | ihl);
  uint16_t total = static_cast<uint16_t>(frame.size() - kIp);
  frame[kIp + 2] = static_cast<uint8_t>(total >> 8);
  frame[kIp + 3] = static_cast<uint8_t>(total);
  frame[kIp + 10] = frame[kIp + 11] = 0;
  uint16_t sum = internet_checksum(&frame[kIp], ihl * 4);
  frame[kIp + 10] = static_cast<uint8_t>(sum >> 8);
  frame[kIp + 11] = static_cast<uint8_t>(sum);
  return frame;
}

std::vector<uint8_t> udp_to(uint16_t port, uint8_t ttl = 64) {
  return PacketBuilder().ipv4("10.0.0.1", "10.0.0.2", ttl).udp(40000, port).build();
}

std::vector<uint8_t> tcp_to(uint16_t port, uint8_t flags) {
  return PacketBuilder().ipv4("10.0.0.1", "10.0.0.2").tcp(40000, port, flags).build();
}

uint32_t verdict(const Build &b, const char *prog, const std::vector<uint8_t> &frame) {
  RunResult r = test_run(b.obj.prog_fd(prog), frame);
  EXPECT_EQ(r.err, 0) << prog;
  return r.retval;
}

TEST(PacketMacrosWithIpOptions, UdpBlockerDropsQueriesWhateverTheIhl) {
  for (Build &b : both_builds("twins", "ip_options")) {
    SCOPED_TRACE(b.label);
    int seen = b.obj.map_fd("seen");
    for (unsigned ihl = 5; ihl <= 15; ++ihl) {
      SCOPED_TRACE("IHL " + std::to_string(ihl));
      uint8_t ttl = static_cast<uint8_t>(40 + ihl);
      auto query = with_options(udp_to(53, ttl), ihl);
      EXPECT_EQ(verdict(b, "udp_block", query), XDP_DROP);
      EXPECT_EQ(map_u64(seen, 0), ttl); // the IP header with-udp binds
      EXPECT_EQ(verdict(b, "udp_parse", query), XDP_DROP);
      auto other = with_options(udp_to(5353), ihl);
      EXPECT_EQ(verdict(b, "udp_block", other), XDP_PASS);
      EXPECT_EQ(verdict(b, "udp_parse", other), XDP_PASS);
    }
  }
}

TEST(PacketMacrosWithIpOptions, MalformedHeadersAndLaterFragmentsAreNotMatched) {
  for (Build &b : both_builds("twins", "ip_options")) {
    SCOPED_TRACE(b.label);
    int seen = b.obj.map_fd("seen");
    ASSERT_EQ(verdict(b, "udp_block", udp_to(53, 99)), XDP_DROP);
    // IHL below 5 and versions other than 4: the bytes at 14 + IHL * 4 are no UDP header.
    for (uint8_t ver_ihl : {0x40, 0x44, 0x35, 0x55, 0x65, 0xf5}) {
      SCOPED_TRACE(static_cast<int>(ver_ihl));
      auto bad = udp_to(53, 7);
      bad[kIp] = ver_ihl;
      EXPECT_EQ(verdict(b, "udp_block", bad), XDP_PASS);
      EXPECT_EQ(verdict(b, "udp_parse", bad), XDP_PASS);
      EXPECT_EQ(verdict(b, "ipv4_block", bad), XDP_PASS);
    }
    EXPECT_EQ(map_u64(seen, 0), 99u); // the bodies never ran for them
    EXPECT_EQ(map_u64(seen, 1), 0u);
    // A header longer than the frame, and a UDP header cut short after 60 bytes of IPv4:
    // no UDP header, and the macros pass the packet.
    auto query = with_options(udp_to(53, 7), 15);
    for (size_t len : {kIp + 20, kIp + 59, kIp + 60, kIp + 67}) {
      SCOPED_TRACE(len);
      std::vector<uint8_t> cut(query.begin(), query.begin() + static_cast<long>(len));
      EXPECT_EQ(verdict(b, "udp_block", cut), XDP_PASS);
      EXPECT_EQ(verdict(b, "udp_parse", cut), XDP_PASS);
    }
    EXPECT_EQ(map_u64(seen, 0), 99u);
    // The first fragment (more fragments set) holds the UDP header; a later one does not.
    auto first = with_options(udp_to(53, 7), 6);
    first[kIp + 6] = 0x20;
    EXPECT_EQ(verdict(b, "udp_block", first), XDP_DROP);
    EXPECT_EQ(verdict(b, "udp_parse", first), XDP_DROP);
    auto later = first;
    later[kIp + 7] = 0x01; // offset 8 bytes
    EXPECT_EQ(verdict(b, "udp_block", later), XDP_PASS);
    EXPECT_EQ(verdict(b, "udp_parse", later), XDP_PASS);
  }
}

TEST(PacketMacrosWithIpOptions, TcpBlockerFindsTheHeaderAfterTheOptions) {
  for (Build &b : both_builds("twins", "ip_options")) {
    SCOPED_TRACE(b.label);
    for (unsigned ihl : {5u, 6u, 9u, 15u}) {
      SCOPED_TRACE("IHL " + std::to_string(ihl));
      EXPECT_EQ(verdict(b, "tcp_block", with_options(tcp_to(22, 0x02), ihl)), XDP_DROP);
      EXPECT_EQ(verdict(b, "tcp_block", with_options(tcp_to(22, 0x10), ihl)), XDP_PASS);
      EXPECT_EQ(verdict(b, "tcp_block", with_options(tcp_to(23, 0x02), ihl)), XDP_PASS);
      // UDP to port 22 is no TCP.
      EXPECT_EQ(verdict(b, "tcp_block", with_options(udp_to(22), ihl)), XDP_PASS);
    }
    auto syn = with_options(tcp_to(22, 0x02), 15);
    std::vector<uint8_t> cut(syn.begin(), syn.begin() + kIp + 60 + 19);
    EXPECT_EQ(verdict(b, "tcp_block", cut), XDP_PASS);
    syn[kIp] = 0x44;
    EXPECT_EQ(verdict(b, "tcp_block", syn), XDP_PASS);
  }
}

TEST(PacketMacrosWithIpOptions, Ipv4BlockerSeesHeadersWithOptions) {
  for (Build &b : both_builds("twins", "ip_options")) {
    SCOPED_TRACE(b.label);
    int seen = b.obj.map_fd("seen");
    auto from = [](const char *src) {
      return PacketBuilder().ipv4(src, "10.0.0.2").udp(40000, 9).build();
    };
    for (unsigned ihl : {5u, 6u, 15u}) {
      SCOPED_TRACE("IHL " + std::to_string(ihl));
      EXPECT_EQ(verdict(b, "ipv4_block", with_options(from("192.0.2.1"), ihl)), XDP_DROP);
      EXPECT_EQ(map_u64(seen, 1), ihl * 4);
      EXPECT_EQ(verdict(b, "ipv4_block", with_options(from("192.0.2.2"), ihl)), XDP_PASS);
    }
    auto bad = with_options(from("192.0.2.1"), 6);
    bad[kIp] = 0x44;
    EXPECT_EQ(verdict(b, "ipv4_block", bad), XDP_PASS);
    EXPECT_EQ(map_u64(seen, 1), 60u); // unchanged
    // with-ipv4 checks the fixed 20 bytes only: options cut short are the body's business.
    auto longer = with_options(from("192.0.2.1"), 15);
    longer.resize(kIp + 56); // 60 bytes of header announced, 56 there
    EXPECT_EQ(verdict(b, "ipv4_block", longer), XDP_DROP);
    EXPECT_EQ(verdict(b, "ipv4_block", std::vector<uint8_t>(longer.begin(), longer.begin() + 33)),
              XDP_PASS);
    EXPECT_EQ(verdict(b, "ipv4_block", PacketBuilder().ethertype(0x86dd).build()), XDP_PASS);
  }
}

} // namespace
