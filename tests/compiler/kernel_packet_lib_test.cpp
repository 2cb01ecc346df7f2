// The packet library of the prelude (compiler/expand/prelude_packet.cpp): twins/
// packet_lib.lisp and its C twin run on crafted frames (VLAN tags, IPv6 extension header
// chains, fragments, ICMP, ICMPv6, ARP, cut-short headers); both builds must give the
// expected verdicts, bytes out and map contents.
#include "crafted_frames.h"
#include "twin_builds.h"

#include "tests/support/packet_builder.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <linux/bpf.h>

using namespace xdpchain::compiler::testing;
using xdpchain::test::internet_checksum;
using xdpchain::test::PacketBuilder;

namespace {

uint32_t verdict(const Build &b, const char *prog, const Bytes &frame, Bytes *out = nullptr) {
  RunResult r = test_run(b.obj.prog_fd(prog), frame);
  EXPECT_EQ(r.err, 0) << prog;
  if (out) *out = r.data;
  return r.retval;
}

Bytes cut(const Bytes &frame, size_t len) {
  return Bytes(frame.begin(), frame.begin() + static_cast<long>(len));
}

Bytes ipv4_udp() {
  return PacketBuilder().ipv4("10.0.0.1", "10.0.0.2").udp(40000, 53).build();
}

TEST(PacketLibrary, VlanFindsTheHeaderAfterZeroOneOrTwoTags) {
  for (Build &b : both_builds("twins", "packet_lib")) {
    SCOPED_TRACE(b.label);
    int seen = b.obj.map_fd("seen");
    Bytes plain = ipv4_udp();
    EXPECT_EQ(verdict(b, "vlan_tags", plain), XDP_PASS);
    EXPECT_EQ(map_u64(seen, 0), 0u);
    EXPECT_EQ(map_u64(seen, 3), 0x0800u);
    EXPECT_EQ(map_u64(seen, 4), 0x45u);
    EXPECT_EQ(verdict(b, "vlan_tags", with_tags(plain, {{0x8100, 0x2064}})), XDP_PASS);
    EXPECT_EQ(map_u64(seen, 0), 1u);
    EXPECT_EQ(map_u64(seen, 1), 0x064u); // the priority bits are not part of the VID
    EXPECT_EQ(map_u64(seen, 3), 0x0800u);
    EXPECT_EQ(map_u64(seen, 4), 0x45u);
    for (uint16_t outer : {0x88a8, 0x8100}) {
      SCOPED_TRACE(outer);
      EXPECT_EQ(verdict(b, "vlan_tags", with_tags(plain, {{outer, 0xe00d}, {0x8100, 0x0fff}})),
                XDP_DROP);
      EXPECT_EQ(map_u64(seen, 0), 2u);
      EXPECT_EQ(map_u64(seen, 1), 13u);
      EXPECT_EQ(map_u64(seen, 2), 0xfffu);
      EXPECT_EQ(map_u64(seen, 4), 0x45u);
    }
    // A third tag is what the body sees as the EtherType.
    EXPECT_EQ(verdict(b, "vlan_tags", with_tags(plain, {{0x88a8, 5}, {0x8100, 6}, {0x8100, 13}})),
              XDP_PASS);
    EXPECT_EQ(map_u64(seen, 3), 0x8100u);
    EXPECT_EQ(map_u64(seen, 4), 0x00u);
    // Tags cut short, and no byte after them: the body never runs.
    Bytes two = with_tags(plain, {{0x88a8, 13}, {0x8100, 13}});
    for (size_t len : {15u, 17u, 18u, 21u, 22u}) {
      SCOPED_TRACE(len);
      EXPECT_EQ(verdict(b, "vlan_tags", cut(two, len)), XDP_PASS);
    }
    EXPECT_EQ(map_u64(seen, 1), 5u);
    EXPECT_EQ(verdict(b, "vlan_tags", cut(two, 23)), XDP_DROP);
  }
}

TEST(PacketLibrary, Ipv6WalkFindsTheUpperLayerBehindExtensionHeaders) {
  for (Build &b : both_builds("twins", "packet_lib")) {
    SCOPED_TRACE(b.label);
    int seen = b.obj.map_fd("seen");
    Bytes dns = udp_message(4000, 53);
    EXPECT_EQ(verdict(b, "ipv6_l4", ipv6_frame({}, 17, dns)), XDP_DROP);
    EXPECT_EQ(map_u64(seen, 0), 17u);
    EXPECT_EQ(map_u64(seen, 1), 54u);
    EXPECT_EQ(verdict(b, "ipv6_l4", ipv6_frame({}, 17, udp_message(4000, 54))), XDP_PASS);
    // Every kind of header, of several lengths, up to six of them.
    std::vector<ExtHeader> chain{ext_options(0, 1),  ext_options(43, 0),   ext_fragment(0, true),
                                 ext_options(60, 3), ext_options(60, 255), ext_options(43, 2)};
    size_t off = 54;
    for (size_t n = 1; n <= chain.size(); ++n) {
      SCOPED_TRACE(n);
      std::vector<ExtHeader> some(chain.begin(), chain.begin() + static_cast<long>(n));
      off += some.back().body.size() + 1;
      EXPECT_EQ(verdict(b, "ipv6_l4", ipv6_frame(some, 17, dns, 2, static_cast<uint8_t>(n))),
                XDP_DROP);
      EXPECT_EQ(map_u64(seen, 1), off);
      EXPECT_EQ(map_u64(seen, 2), n);
      Bytes tcp(20, 0);
      put16(tcp, 2, 53);
      EXPECT_EQ(verdict(b, "ipv6_l4", ipv6_frame(some, 6, tcp)), XDP_PASS);
      EXPECT_EQ(map_u64(seen, 0), 6u);
    }
    // A seventh header is past the bound: the program's too-deep form runs.
    auto seven = chain;
    seven.push_back(ext_options(60, 0));
    EXPECT_EQ(verdict(b, "ipv6_l4", ipv6_frame(seven, 17, dns)), XDP_ABORTED);
    // A later fragment has no UDP header; the first one has.
    EXPECT_EQ(verdict(b, "ipv6_l4", ipv6_frame({ext_fragment(0, true)}, 17, dns)), XDP_DROP);
    EXPECT_EQ(verdict(b, "ipv6_l4", ipv6_frame({ext_fragment(1, false)}, 17, dns)), XDP_PASS);
    EXPECT_EQ(verdict(b, "ipv6_l4", ipv6_frame({ext_fragment(185, true)}, 17, dns)), XDP_PASS);
    EXPECT_EQ(map_u64(seen, 0), 17u);
    EXPECT_EQ(map_u64(seen, 1), 62u); // from the first fragment
    // Headers cut short anywhere: the program passes the packet.
    Bytes full = ipv6_frame({ext_options(0, 1), ext_options(60, 0)}, 17, dns);
    for (size_t len : {20u, 53u, 54u, 61u, 69u, 70u, 77u, 78u, 81u}) {
      SCOPED_TRACE(len);
      EXPECT_EQ(verdict(b, "ipv6_l4", cut(full, len)), XDP_PASS);
    }
    EXPECT_EQ(verdict(b, "ipv6_l4", cut(full, 82)), XDP_DROP);
    // Version other than 6, and IPv4: no IPv6 header.
    Bytes v4 = ipv6_frame({}, 17, dns);
    v4[14] = 0x40;
    EXPECT_EQ(verdict(b, "ipv6_l4", v4), XDP_PASS);
    EXPECT_EQ(verdict(b, "ipv6_l4", ipv4_udp()), XDP_PASS);
  }
}

TEST(PacketLibrary, Ipv6HeaderFields) {
  for (Build &b : both_builds("twins", "packet_lib")) {
    SCOPED_TRACE(b.label);
    int seen = b.obj.map_fd("seen");
    EXPECT_EQ(verdict(b, "ipv6_hdr", ipv6_frame({ext_options(0)}, 17, udp_message(1, 2), 1)),
              XDP_DROP);
    EXPECT_EQ(map_u64(seen, 5), 0u);
    EXPECT_EQ(verdict(b, "ipv6_hdr", ipv6_frame({}, 58, icmpv6_echo(2, 1), 2)), XDP_PASS);
    EXPECT_EQ(map_u64(seen, 5), 58u);
    EXPECT_EQ(verdict(b, "ipv6_hdr", cut(ipv6_frame({}, 17, {}, 1), 53)), XDP_PASS);
  }
}

TEST(PacketLibrary, IcmpEchoRequestBecomesAReplyWithAValidChecksum) {
  for (Build &b : both_builds("twins", "packet_lib")) {
    SCOPED_TRACE(b.label);
    int seen = b.obj.map_fd("seen");
    for (uint16_t id : {0x0000, 0x00f7, 0xf7ff, 0xffff}) {
      SCOPED_TRACE(id);
      Bytes req = PacketBuilder().ipv4("10.0.0.1", "10.0.0.2", 9).icmp_echo(id, 3).build();
      Bytes out;
      ASSERT_EQ(verdict(b, "icmp_reply", req, &out), XDP_TX);
      Bytes want = req;
      want[34] = 0;
      put16(want, 36, 0);
      put16(want, 36, internet_checksum(&want[34], want.size() - 34));
      EXPECT_EQ(out, want);
      EXPECT_EQ(map_u64(seen, 0), id);
      EXPECT_EQ(map_u64(seen, 1), 9u);
    }
    Bytes req = PacketBuilder().ipv4("10.0.0.1", "10.0.0.2").icmp_echo().build();
    EXPECT_EQ(verdict(b, "icmp_reply", cut(req, 41)), XDP_PASS);
    req[14] = 0x44; // IHL 4
    EXPECT_EQ(verdict(b, "icmp_reply", req), XDP_PASS);
    EXPECT_EQ(verdict(b, "icmp_reply", ipv4_udp()), XDP_PASS);
  }
}

TEST(PacketLibrary, Icmpv6EchoRequestBecomesAReplyBehindExtensionHeaders) {
  for (Build &b : both_builds("twins", "packet_lib")) {
    SCOPED_TRACE(b.label);
    int seen = b.obj.map_fd("seen");
    for (uint16_t id : {0x0000, 0x7f00, 0xffff}) {
      for (size_t hbh : {0u, 1u}) {
        SCOPED_TRACE(std::to_string(id) + " " + std::to_string(hbh));
        std::vector<ExtHeader> ext;
        if (hbh) ext.push_back(ext_options(0, 0));
        Bytes req = ipv6_frame(ext, 58, icmpv6_echo(2, id), 2, 33);
        size_t at = 54 + 8 * hbh;
        ASSERT_TRUE(icmpv6_checksum_valid(req, at));
        Bytes out;
        ASSERT_EQ(verdict(b, "icmp6_reply", req, &out), XDP_TX);
        EXPECT_EQ(out[at], 129);
        EXPECT_TRUE(icmpv6_checksum_valid(out, at));
        out[at] = 128, out[at + 2] = req[at + 2], out[at + 3] = req[at + 3];
        EXPECT_EQ(out, req); // nothing else changed
        EXPECT_EQ(map_u64(seen, 0), 128u);
        EXPECT_EQ(map_u64(seen, 1), 33u);
      }
    }
    Bytes reply = ipv6_frame({}, 58, icmpv6_echo(2, 1));
    reply[54] = 129;
    EXPECT_EQ(verdict(b, "icmp6_reply", reply), XDP_PASS);
    EXPECT_EQ(map_u64(seen, 0), 129u);
    EXPECT_EQ(verdict(b, "icmp6_reply", cut(ipv6_frame({}, 58, icmpv6_echo(2, 1)), 61)), XDP_PASS);
    EXPECT_EQ(verdict(b, "icmp6_reply", ipv6_frame({}, 17, udp_message(1, 2))), XDP_PASS);
    EXPECT_EQ(map_u64(seen, 0), 129u);
  }
}

TEST(PacketLibrary, ArpFieldsAndTheRequestFilter) {
  for (Build &b : both_builds("twins", "packet_lib")) {
    SCOPED_TRACE(b.label);
    int seen = b.obj.map_fd("seen");
    EXPECT_EQ(verdict(b, "arp_watch", arp_frame(1, 0x0a000001, 0x0a000042)), XDP_DROP);
    EXPECT_EQ(map_u64(seen, 0), 1u);
    EXPECT_EQ(map_u64(seen, 1), htonl(0x0a000001));
    EXPECT_EQ(map_u64(seen, 2), htonl(0x0a000042));
    EXPECT_EQ(map_u64(seen, 3), 0x77u);
    EXPECT_EQ(verdict(b, "arp_watch", arp_frame(2, 0x0a000042, 0x0a000001)), XDP_PASS);
    EXPECT_EQ(map_u64(seen, 0), 2u);
    EXPECT_EQ(verdict(b, "arp_watch", arp_frame(1, 0x0a000001, 0x0a000043)), XDP_PASS);
    EXPECT_EQ(verdict(b, "arp_watch", cut(arp_frame(1, 1, 0x0a000042), 41)), XDP_PASS);
    Bytes other = arp_frame(1, 0x0a000001, 0x0a000042);
    other[19] = 8; // a hardware address length other than 6
    EXPECT_EQ(verdict(b, "arp_watch", other), XDP_PASS);
    EXPECT_EQ(map_u64(seen, 2), htonl(0x0a000043));
  }
}

TEST(PacketLibrary, Rfc1624UpdateFor32BitsKeepsBothChecksumsValid) {
  for (Build &b : both_builds("twins", "packet_lib")) {
    SCOPED_TRACE(b.label);
    for (const char *dst : {"10.0.0.2", "255.255.255.255", "0.0.0.0", "10.9.9.9"}) {
      SCOPED_TRACE(dst);
      Bytes in = PacketBuilder().ipv4("192.0.2.1", dst).udp(1000, 2000).build();
      Bytes out;
      ASSERT_EQ(verdict(b, "nat_dst", in, &out), XDP_TX);
      Bytes want = PacketBuilder().ipv4("192.0.2.1", "10.9.9.9").udp(1000, 2000).build();
      EXPECT_EQ(internet_checksum(&out[14], 20), 0);
      EXPECT_EQ(Bytes(out.begin(), out.begin() + 30), Bytes(want.begin(), want.begin() + 30));
      // The UDP checksum may come out as the other zero (0xffff for 0x0000) only when the
      // full sum is zero; the packets here avoid that, so the bytes equal a fresh build.
      EXPECT_EQ(out, want);
    }
    Bytes nosum = PacketBuilder().ipv4("192.0.2.1", "10.0.0.2").udp(1000, 2000).build();
    put16(nosum, 40, 0);
    Bytes out;
    ASSERT_EQ(verdict(b, "nat_dst", nosum, &out), XDP_TX);
    EXPECT_EQ(out[40], 0);
    EXPECT_EQ(out[41], 0);
  }
}

TEST(PacketLibrary, FullChecksumOverBoundedLengths) {
  for (Build &b : both_builds("twins", "packet_lib")) {
    SCOPED_TRACE(b.label);
    int seen = b.obj.map_fd("seen");
    for (size_t payload : {0u, 1u, 2u, 31u, 247u, 248u}) {
      SCOPED_TRACE(payload);
      Bytes in = PacketBuilder().ipv4("10.0.0.1", "10.0.0.2").icmp_echo(7, 9).build();
      in.resize(42);
      for (size_t i = 0; i < payload; ++i)
        in.push_back(static_cast<uint8_t>(i * 7 + 1));
      put16(in, 16, static_cast<uint16_t>(in.size() - 14));
      put16(in, 24, 0);
      put16(in, 24, internet_checksum(&in[14], 20));
      put16(in, 36, 0xdead); // wrong: the program computes it
      Bytes out;
      ASSERT_EQ(verdict(b, "icmp_full", in, &out), XDP_TX);
      EXPECT_EQ(internet_checksum(&out[34], out.size() - 34), 0);
      EXPECT_EQ(map_u64(seen, 2), (uint64_t(out[37]) << 8 | out[36]));
      EXPECT_EQ(map_u64(seen, 3), 0u); // the IPv4 header's checksum is valid
      // An odd byte past the ICMP message (ethernet padding) is not summed.
      in.push_back(0xff);
      ASSERT_EQ(verdict(b, "icmp_full", in, &out), XDP_TX);
      EXPECT_EQ(internet_checksum(&out[34], out.size() - 35), 0);
    }
    // A message longer than the bound (256 bytes), or than the frame: passed.
    Bytes big = PacketBuilder().ipv4("10.0.0.1", "10.0.0.2").icmp_echo().payload_size(249).build();
    EXPECT_EQ(verdict(b, "icmp_full", big), XDP_PASS);
    Bytes small = PacketBuilder().ipv4("10.0.0.1", "10.0.0.2").icmp_echo().payload_size(20).build();
    put16(small, 16, static_cast<uint16_t>(small.size() - 14 + 2));
    EXPECT_EQ(verdict(b, "icmp_full", small), XDP_PASS);
  }
}

// The walk at its largest bound loads and reads sixteen extension headers, the first of
// the largest size (2,048 bytes; the frame stays within what BPF_PROG_TEST_RUN puts in one
// buffer); a seventeenth runs :too-deep.
TEST(PacketLibrary, Ipv6WalkAtItsLargestBound) {
  auto obj = LoadedObject::load(compile_ok(R"(
    (defprog walk16 (:type :xdp)
      (with-ipv6-l4 (data data-end l4 proto :min-len 4 :max-ext 16 :too-deep (return XDP_ABORTED))
        (when (and (= proto +ip-proto-udp+) (= (udp-dst-port l4) 53)) (return XDP_DROP)))
      XDP_PASS))"));
  ASSERT_TRUE(obj.has_value()) << obj.error().str(40);
  int prog = obj->prog_fd("walk16");
  std::vector<ExtHeader> chain{ext_options(0, 255), ext_fragment(0, true)};
  for (int i = 0; i < 14; ++i)
    chain.push_back(ext_options(i % 2 ? 60 : 43, 1));
  EXPECT_EQ(test_run(prog, ipv6_frame(chain, 17, udp_message(1, 53))).retval, XDP_DROP);
  EXPECT_EQ(test_run(prog, ipv6_frame(chain, 17, udp_message(1, 54))).retval, XDP_PASS);
  chain.push_back(ext_options(60));
  EXPECT_EQ(test_run(prog, ipv6_frame(chain, 17, udp_message(1, 53))).retval, XDP_ABORTED);
}

} // namespace
