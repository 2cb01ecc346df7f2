// The example programs of compiler/examples/, written with the packet library: each runs
// from its .lisp and from its C twin on crafted frames, and both builds must give the
// expected verdicts, bytes out and map contents.
#include "crafted_frames.h"
#include "twin_builds.h"

#include "tests/support/packet_builder.h"

#include <gtest/gtest.h>

#include <algorithm>

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <linux/bpf.h>

using namespace xdpchain::compiler::testing;
using xdpchain::test::internet_checksum;
using xdpchain::test::PacketBuilder;

namespace {

const char *kExamples = "../../compiler/examples"; // relative to tests/compiler

void put_u32(int map, uint32_t key, uint32_t value) {
  ASSERT_EQ(bpf_map_update_elem(map, &key, &value, BPF_ANY), 0);
}

uint32_t verdict(const Build &b, const char *prog, const Bytes &frame, Bytes *out = nullptr) {
  RunResult r = test_run(b.obj.prog_fd(prog), frame);
  EXPECT_EQ(r.err, 0) << prog;
  if (out) *out = r.data;
  return r.retval;
}

TEST(Examples, VlanAllowlistDropsTagsOutsideTheList) {
  for (Build &b : both_builds(kExamples, "vlan_allowlist")) {
    SCOPED_TRACE(b.label);
    put_u32(b.obj.map_fd("allowed_vlans"), 10, 1);
    put_u32(b.obj.map_fd("allowed_vlans"), 20, 1);
    int drops = b.obj.map_fd("vlan_drops");
    Bytes ip = PacketBuilder().ipv4("10.0.0.1", "10.0.0.2").udp(1, 2).build();
    const char *p = "vlan_allowlist";
    EXPECT_EQ(verdict(b, p, ip), XDP_PASS);
    EXPECT_EQ(verdict(b, p, with_tags(ip, {{0x8100, 10}})), XDP_PASS);
    EXPECT_EQ(verdict(b, p, with_tags(ip, {{0x8100, 0x300a}})), XDP_PASS); // PCP 1, VID 10
    EXPECT_EQ(verdict(b, p, with_tags(ip, {{0x8100, 11}})), XDP_DROP);
    EXPECT_EQ(verdict(b, p, with_tags(ip, {{0x88a8, 10}, {0x8100, 20}})), XDP_PASS);
    EXPECT_EQ(verdict(b, p, with_tags(ip, {{0x88a8, 10}, {0x8100, 21}})), XDP_DROP);
    EXPECT_EQ(verdict(b, p, with_tags(ip, {{0x88a8, 12}, {0x8100, 20}})), XDP_DROP);
    EXPECT_EQ(verdict(b, p, with_tags(ip, {{0x88a8, 10}, {0x8100, 20}, {0x8100, 20}})), XDP_DROP);
    EXPECT_EQ(map_u64(drops, 11), 1u);
    EXPECT_EQ(map_u64(drops, 10), 2u);
    EXPECT_EQ(map_u64(drops, 12), 1u);
    EXPECT_EQ(map_u64(drops, 20), 0u);
    // A tag cut short is no tag the filter can check: the frame passes, uncounted.
    Bytes two = with_tags(ip, {{0x88a8, 12}, {0x8100, 20}});
    EXPECT_EQ(verdict(b, p, Bytes(two.begin(), two.begin() + 20)), XDP_PASS);
    EXPECT_EQ(map_u64(drops, 12), 1u);
  }
}

TEST(Examples, Ipv6PortFilterSeesThePortBehindExtensionHeaders) {
  for (Build &b : both_builds(kExamples, "ipv6_port_filter")) {
    SCOPED_TRACE(b.label);
    put_u32(b.obj.map_fd("blocked_ports"), 53, 1);
    put_u32(b.obj.map_fd("blocked_ports"), 23, 1);
    int counts = b.obj.map_fd("verdicts");
    const char *p = "ipv6_port_filter";
    Bytes tcp23(20, 0), tcp80(20, 0);
    put16(tcp23, 2, 23);
    put16(tcp80, 2, 80);
    EXPECT_EQ(verdict(b, p, ipv6_frame({}, 17, udp_message(9, 53))), XDP_DROP);
    EXPECT_EQ(verdict(b, p, ipv6_frame({ext_options(0), ext_options(60, 2)}, 6, tcp23)), XDP_DROP);
    EXPECT_EQ(verdict(b, p,
                      ipv6_frame({ext_options(0), ext_options(43, 1), ext_fragment(0, true),
                                  ext_options(60)},
                                 17, udp_message(9, 53))),
              XDP_DROP);
    EXPECT_EQ(verdict(b, p, ipv6_frame({ext_options(0)}, 6, tcp80)), XDP_PASS);
    EXPECT_EQ(verdict(b, p, ipv6_frame({}, 58, icmpv6_echo(2, 1))), XDP_PASS);
    EXPECT_EQ(map_u64(counts, 1), 3u);
    EXPECT_EQ(map_u64(counts, 0), 2u);
    // Five extension headers are more than the filter reads: dropped and counted apart.
    std::vector<ExtHeader> five(5, ext_options(60));
    EXPECT_EQ(verdict(b, p, ipv6_frame(five, 6, tcp80)), XDP_DROP);
    EXPECT_EQ(map_u64(counts, 2), 1u);
    // A later fragment carries no port; a cut-short header passes uncounted.
    EXPECT_EQ(verdict(b, p, ipv6_frame({ext_fragment(3, false)}, 17, udp_message(9, 53))),
              XDP_PASS);
    Bytes whole = ipv6_frame({ext_options(0)}, 17, udp_message(9, 53));
    EXPECT_EQ(verdict(b, p, Bytes(whole.begin(), whole.begin() + 65)), XDP_PASS);
    EXPECT_EQ(map_u64(counts, 0), 3u);
    EXPECT_EQ(map_u64(counts, 1), 3u);
    // IPv4 is no business of this filter.
    EXPECT_EQ(verdict(b, p, PacketBuilder().ipv4("10.0.0.1", "10.0.0.2").udp(9, 53).build()),
              XDP_PASS);
    EXPECT_EQ(map_u64(counts, 0), 4u);
  }
}

// The checksum of the UDP message at AT over the IPv6 pseudo header: 0 when the stored
// one is valid, the one to store when the stored one is 0.
uint16_t udp6_sum(const Bytes &frame, size_t at) {
  Bytes pseudo(frame.begin() + 22, frame.begin() + 54); // source and destination
  uint32_t len = static_cast<uint32_t>(frame.size() - at);
  pseudo.insert(pseudo.end(),
                {0, 0, static_cast<uint8_t>(len >> 8), static_cast<uint8_t>(len), 0, 0, 0, 17});
  pseudo.insert(pseudo.end(), frame.begin() + static_cast<long>(at), frame.end());
  return internet_checksum(pseudo.data(), pseudo.size());
}

bool udp6_checksum_valid(const Bytes &frame, size_t at) {
  return udp6_sum(frame, at) == 0;
}

Bytes with_udp6_checksum(Bytes frame, size_t at) {
  put16(frame, at + 6, 0);
  put16(frame, at + 6, udp6_sum(frame, at));
  return frame;
}

TEST(Examples, UdpPortRewriteKeepsChecksumsValid) {
  for (Build &b : both_builds(kExamples, "udp_port_rewrite")) {
    SCOPED_TRACE(b.label);
    put_u32(b.obj.map_fd("port_map"), 53, 5353);
    put_u32(b.obj.map_fd("port_map"), 0xffff, 1);
    int rewrites = b.obj.map_fd("rewrites");
    const char *p = "udp_port_rewrite";
    for (uint16_t port : {53, 0xffff}) {
      SCOPED_TRACE(port);
      uint16_t to = port == 53 ? 5353 : 1;
      Bytes in = PacketBuilder().ipv4("10.0.0.1", "10.0.0.2").udp(4000, port).build();
      Bytes out;
      EXPECT_EQ(verdict(b, p, in, &out), XDP_PASS);
      EXPECT_EQ(out, PacketBuilder().ipv4("10.0.0.1", "10.0.0.2").udp(4000, to).build());
      // Behind two extension headers in IPv6.
      Bytes in6 = with_udp6_checksum(
          ipv6_frame({ext_options(0), ext_fragment(0, true)}, 17, udp_message(4000, port)), 70);
      ASSERT_TRUE(udp6_checksum_valid(in6, 70));
      EXPECT_EQ(verdict(b, p, in6, &out), XDP_PASS);
      EXPECT_EQ(out[72] << 8 | out[73], to);
      EXPECT_TRUE(udp6_checksum_valid(out, 70));
    }
    EXPECT_EQ(map_u64(rewrites, 0), 2u);
    EXPECT_EQ(map_u64(rewrites, 1), 2u);
    // No checksum in IPv4 stays none; unmapped ports and TCP are left alone.
    Bytes nosum = PacketBuilder().ipv4("10.0.0.1", "10.0.0.2").udp(4000, 53).build();
    put16(nosum, 40, 0);
    Bytes out;
    EXPECT_EQ(verdict(b, p, nosum, &out), XDP_PASS);
    EXPECT_EQ(out[36] << 8 | out[37], 5353);
    EXPECT_EQ(out[40] << 8 | out[41], 0);
    for (Bytes other : {PacketBuilder().ipv4("10.0.0.1", "10.0.0.2").udp(4000, 54).build(),
                        PacketBuilder().ipv4("10.0.0.1", "10.0.0.2").tcp(4000, 53).build()}) {
      EXPECT_EQ(verdict(b, p, other, &out), XDP_PASS);
      EXPECT_EQ(out, other);
    }
    EXPECT_EQ(map_u64(rewrites, 0), 3u);
  }
}

TEST(Examples, ArpResponderAnswersForTheAddressesInItsMap) {
  for (Build &b : both_builds(kExamples, "arp_responder")) {
    SCOPED_TRACE(b.label);
    uint32_t ip = htonl(0x0a000042);
    uint64_t mac = 0x0000665544332211ull; // 11:22:33:44:55:66
    ASSERT_EQ(bpf_map_update_elem(b.obj.map_fd("proxy_macs"), &ip, &mac, BPF_ANY), 0);
    const char *p = "arp_responder";
    Bytes request = arp_frame(1, 0x0a000001, 0x0a000042);
    Bytes out;
    ASSERT_EQ(verdict(b, p, request, &out), XDP_TX);
    Bytes want = arp_frame(2, 0x0a000042, 0x0a000001);
    const uint8_t ours[6] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66};
    std::copy(request.begin() + 6, request.begin() + 12, want.begin()); // to the asker
    std::copy(ours, ours + 6, want.begin() + 6);
    std::copy(ours, ours + 6, want.begin() + 22);                             // sender: us
    std::copy(request.begin() + 22, request.begin() + 28, want.begin() + 32); // target
    EXPECT_EQ(out, want);
    EXPECT_EQ(map_u64(b.obj.map_fd("replies"), 0), 1u);
    // Requests for other addresses, replies, and non-Ethernet ARP pass untouched.
    Bytes other = arp_frame(1, 0x0a000001, 0x0a000043);
    Bytes reply = arp_frame(2, 0x0a000001, 0x0a000042);
    Bytes token_ring = request;
    token_ring[15] = 6;
    for (const Bytes &frame :
         {other, reply, token_ring, Bytes(request.begin(), request.end() - 1)}) {
      EXPECT_EQ(verdict(b, p, frame, &out), XDP_PASS);
      EXPECT_EQ(out, frame);
    }
    EXPECT_EQ(map_u64(b.obj.map_fd("replies"), 0), 1u);
  }
}

} // namespace
