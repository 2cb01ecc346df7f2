// Frames the packet library's tests craft byte by byte: VLAN tags, IPv6 with extension
// headers, ICMPv6, ARP. PacketBuilder (tests/support) makes the IPv4 ones.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace xdpchain::compiler::testing {

using Bytes = std::vector<uint8_t>;

void put16(Bytes &p, std::size_t at, uint16_t v);

// `frame` with VLAN tags inserted after the MAC addresses, outermost first: each tag is
// its TPID (0x8100, 0x88a8) and its TCI.
Bytes with_tags(Bytes frame, const std::vector<std::pair<uint16_t, uint16_t>> &tags);

// An IPv6 extension header: its type (0, 43, 60, 44) and its bytes after the next-header
// byte (the length byte included, for all but a fragment header's reserved byte).
struct ExtHeader {
  uint8_t type;
  Bytes body; // 7 + 8k bytes
};
ExtHeader ext_options(uint8_t type, size_t units = 0); // hop-by-hop, routing, dest options
ExtHeader ext_fragment(uint16_t offset_units, bool more);

// Ethernet + IPv6 (2001:db8::1 to 2001:db8::DST_LAST) + the extension headers + an upper
// layer message of protocol NH; the payload length is set.
Bytes ipv6_frame(const std::vector<ExtHeader> &ext, uint8_t nh, const Bytes &message,
                 uint8_t dst_last = 2, uint8_t hop_limit = 64);
Bytes udp_message(uint16_t src_port, uint16_t dst_port, size_t payload = 8);
// An ICMPv6 echo request with a valid checksum for ipv6_frame's addresses.
Bytes icmpv6_echo(uint8_t dst_last, uint16_t id, size_t payload = 8);
// The ICMPv6 checksum of the message at OFFSET of an ipv6_frame is valid.
bool icmpv6_checksum_valid(const Bytes &frame, size_t offset);

// An ARP packet (Ethernet/IPv4) with operation OP from SPA (host order) to TPA.
Bytes arp_frame(uint16_t op, uint32_t spa, uint32_t tpa);

} // namespace xdpchain::compiler::testing
