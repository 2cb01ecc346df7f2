// Builds Ethernet frames for BPF_PROG_TEST_RUN: IPv4 with ICMP echo, UDP or TCP, or a bare
// Ethernet frame of any EtherType. Lengths and checksums are filled in.
//
//   auto frame = PacketBuilder().ipv4("10.0.0.2", "10.0.0.1").udp(40000, 9999).build();
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace xdpchain::test {

using Mac = std::array<uint8_t, 6>;

class PacketBuilder {
public:
  PacketBuilder &eth(const Mac &src, const Mac &dst);
  // Ends the frame after the Ethernet header with this EtherType (e.g. 0x0806, ARP),
  // followed by `payload_size` zero bytes.
  PacketBuilder &ethertype(uint16_t type);
  PacketBuilder &ipv4(const std::string &src, const std::string &dst, uint8_t ttl = 64);
  PacketBuilder &icmp_echo(uint16_t id = 1, uint16_t sequence = 1);
  PacketBuilder &udp(uint16_t src_port, uint16_t dst_port);
  PacketBuilder &tcp(uint16_t src_port, uint16_t dst_port, uint8_t flags = 0x02 /* SYN */);
  PacketBuilder &payload_size(size_t bytes);

  std::vector<uint8_t> build() const;

private:
  enum class L4 { none, icmp, udp, tcp };
  Mac src_mac_{0x02, 0, 0, 0, 0, 2};
  Mac dst_mac_{0x02, 0, 0, 0, 0, 1};
  uint16_t ethertype_ = 0x0800;
  bool ipv4_ = false;
  uint32_t src_ip_ = 0; // network byte order
  uint32_t dst_ip_ = 0;
  uint8_t ttl_ = 64;
  L4 l4_ = L4::none;
  uint16_t src_port_ = 0;
  uint16_t dst_port_ = 0;
  uint16_t icmp_id_ = 0;
  uint16_t icmp_sequence_ = 0;
  uint8_t tcp_flags_ = 0;
  size_t payload_size_ = 32;
};

// The Internet checksum (RFC 1071) of `data`, folded, in host byte order.
uint16_t internet_checksum(const uint8_t *data, size_t size, uint32_t initial = 0);

} // namespace xdpchain::test
