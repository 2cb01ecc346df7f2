#include "tests/support/packet_builder.h"

#include <arpa/inet.h>
#include <stdexcept>

namespace xdpchain::test {

namespace {

constexpr size_t kEthHeader = 14;
constexpr size_t kIpv4Header = 20;

void put16(std::vector<uint8_t> &p, size_t at, uint16_t host_value) {
  p[at] = static_cast<uint8_t>(host_value >> 8);
  p[at + 1] = static_cast<uint8_t>(host_value);
}

void put32_net(std::vector<uint8_t> &p, size_t at, uint32_t net_value) {
  const auto *b = reinterpret_cast<const uint8_t *>(&net_value);
  for (int i = 0; i < 4; ++i)
    p[at + i] = b[i];
}

uint32_t parse_ipv4(const std::string &text) {
  in_addr addr{};
  if (inet_pton(AF_INET, text.c_str(), &addr) != 1)
    throw std::invalid_argument("bad IPv4 address: " + text);
  return addr.s_addr;
}

} // namespace

uint16_t internet_checksum(const uint8_t *data, size_t size, uint32_t initial) {
  uint32_t sum = initial;
  for (size_t i = 0; i + 1 < size; i += 2)
    sum += (data[i] << 8) | data[i + 1];
  if (size % 2) sum += data[size - 1] << 8;
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

PacketBuilder &PacketBuilder::eth(const Mac &src, const Mac &dst) {
  src_mac_ = src;
  dst_mac_ = dst;
  return *this;
}

PacketBuilder &PacketBuilder::ethertype(uint16_t type) {
  ethertype_ = type;
  ipv4_ = false;
  l4_ = L4::none;
  return *this;
}

PacketBuilder &PacketBuilder::ipv4(const std::string &src, const std::string &dst, uint8_t ttl) {
  ethertype_ = 0x0800;
  ipv4_ = true;
  src_ip_ = parse_ipv4(src);
  dst_ip_ = parse_ipv4(dst);
  ttl_ = ttl;
  return *this;
}

PacketBuilder &PacketBuilder::icmp_echo(uint16_t id, uint16_t sequence) {
  l4_ = L4::icmp;
  icmp_id_ = id;
  icmp_sequence_ = sequence;
  return *this;
}

PacketBuilder &PacketBuilder::udp(uint16_t src_port, uint16_t dst_port) {
  l4_ = L4::udp;
  src_port_ = src_port;
  dst_port_ = dst_port;
  return *this;
}

PacketBuilder &PacketBuilder::tcp(uint16_t src_port, uint16_t dst_port, uint8_t flags) {
  l4_ = L4::tcp;
  src_port_ = src_port;
  dst_port_ = dst_port;
  tcp_flags_ = flags;
  return *this;
}

PacketBuilder &PacketBuilder::payload_size(size_t bytes) {
  payload_size_ = bytes;
  return *this;
}

std::vector<uint8_t> PacketBuilder::build() const {
  if ((l4_ != L4::none) && !ipv4_)
    throw std::logic_error("PacketBuilder: L4 header without ipv4()");
  size_t l4_header = 0;
  uint8_t protocol = 0;
  switch (l4_) {
  case L4::none:
    break;
  case L4::icmp:
    l4_header = 8, protocol = 1;
    break;
  case L4::udp:
    l4_header = 8, protocol = 17;
    break;
  case L4::tcp:
    l4_header = 20, protocol = 6;
    break;
  }
  const size_t l3 = ipv4_ ? kIpv4Header : 0;
  std::vector<uint8_t> p(kEthHeader + l3 + l4_header + payload_size_, 0);
  for (int i = 0; i < 6; ++i) {
    p[i] = dst_mac_[i];
    p[6 + i] = src_mac_[i];
  }
  put16(p, 12, ethertype_);
  for (size_t i = 0; i < payload_size_; ++i)
    p[kEthHeader + l3 + l4_header + i] = static_cast<uint8_t>(i);
  if (!ipv4_) return p;

  const size_t ip = kEthHeader;
  const size_t ip_total = l3 + l4_header + payload_size_;
  p[ip] = 0x45;
  put16(p, ip + 2, static_cast<uint16_t>(ip_total));
  put16(p, ip + 6, 0x4000); // DF
  p[ip + 8] = ttl_;
  p[ip + 9] = protocol;
  put32_net(p, ip + 12, src_ip_);
  put32_net(p, ip + 16, dst_ip_);
  put16(p, ip + 10, internet_checksum(&p[ip], kIpv4Header));

  const size_t l4 = ip + kIpv4Header;
  const size_t l4_total = l4_header + payload_size_;
  // Pseudo header sum for UDP and TCP.
  uint32_t pseudo = 0;
  for (uint32_t addr : {src_ip_, dst_ip_}) {
    const auto *b = reinterpret_cast<const uint8_t *>(&addr);
    pseudo += (b[0] << 8 | b[1]) + (b[2] << 8 | b[3]);
  }
  pseudo += protocol + static_cast<uint32_t>(l4_total);
  switch (l4_) {
  case L4::none:
    break;
  case L4::icmp:
    p[l4] = 8; // echo request
    put16(p, l4 + 4, icmp_id_);
    put16(p, l4 + 6, icmp_sequence_);
    put16(p, l4 + 2, internet_checksum(&p[l4], l4_total));
    break;
  case L4::udp:
    put16(p, l4, src_port_);
    put16(p, l4 + 2, dst_port_);
    put16(p, l4 + 4, static_cast<uint16_t>(l4_total));
    put16(p, l4 + 6, internet_checksum(&p[l4], l4_total, pseudo));
    break;
  case L4::tcp:
    put16(p, l4, src_port_);
    put16(p, l4 + 2, dst_port_);
    p[l4 + 12] = 5 << 4; // data offset: 5 words
    p[l4 + 13] = tcp_flags_;
    put16(p, l4 + 14, 65535); // window
    put16(p, l4 + 16, internet_checksum(&p[l4], l4_total, pseudo));
    break;
  }
  return p;
}

} // namespace xdpchain::test
