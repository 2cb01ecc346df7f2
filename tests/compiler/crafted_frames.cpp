#include "crafted_frames.h"

#include "tests/support/packet_builder.h"

namespace xdpchain::compiler::testing {

namespace {

Bytes ipv6_addr(uint8_t last) {
  Bytes a{0x20, 0x01, 0x0d, 0xb8};
  a.resize(16, 0);
  a[15] = last;
  return a;
}

Bytes eth_header(uint16_t type) {
  Bytes p{2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0, 0};
  put16(p, 12, type);
  return p;
}

uint16_t icmpv6_sum(uint8_t dst_last, const Bytes &message) {
  Bytes pseudo = ipv6_addr(1);
  Bytes dst = ipv6_addr(dst_last);
  pseudo.insert(pseudo.end(), dst.begin(), dst.end());
  uint32_t len = static_cast<uint32_t>(message.size());
  pseudo.insert(pseudo.end(),
                {static_cast<uint8_t>(len >> 24), static_cast<uint8_t>(len >> 16),
                 static_cast<uint8_t>(len >> 8), static_cast<uint8_t>(len), 0, 0, 0, 58});
  pseudo.insert(pseudo.end(), message.begin(), message.end());
  return xdpchain::test::internet_checksum(pseudo.data(), pseudo.size());
}

} // namespace

void put16(Bytes &p, size_t at, uint16_t v) {
  p[at] = static_cast<uint8_t>(v >> 8);
  p[at + 1] = static_cast<uint8_t>(v);
}

Bytes with_tags(Bytes frame, const std::vector<std::pair<uint16_t, uint16_t>> &tags) {
  size_t at = 12;
  for (auto [tpid, tci] : tags) {
    Bytes tag(4);
    put16(tag, 0, tpid);
    put16(tag, 2, tci);
    frame.insert(frame.begin() + static_cast<long>(at), tag.begin(), tag.end());
    at += 4;
  }
  return frame;
}

ExtHeader ext_options(uint8_t type, size_t units) {
  Bytes body(7 + 8 * units, 0);
  body[0] = static_cast<uint8_t>(units);
  body[1] = 1; // a PadN option covering the rest
  body[2] = static_cast<uint8_t>(body.size() - 3);
  return {type, body};
}

ExtHeader ext_fragment(uint16_t offset_units, bool more) {
  Bytes body(7, 0);
  put16(body, 1, static_cast<uint16_t>(offset_units << 3 | (more ? 1 : 0)));
  body[6] = 0x2a; // identification
  return {44, body};
}

Bytes ipv6_frame(const std::vector<ExtHeader> &ext, uint8_t nh, const Bytes &message,
                 uint8_t dst_last, uint8_t hop_limit) {
  Bytes p = eth_header(0x86dd);
  p.insert(p.end(), {0x60, 0, 0, 0, 0, 0, ext.empty() ? nh : ext[0].type, hop_limit});
  Bytes src = ipv6_addr(1), dst = ipv6_addr(dst_last);
  p.insert(p.end(), src.begin(), src.end());
  p.insert(p.end(), dst.begin(), dst.end());
  for (size_t i = 0; i < ext.size(); ++i) {
    p.push_back(i + 1 < ext.size() ? ext[i + 1].type : nh);
    p.insert(p.end(), ext[i].body.begin(), ext[i].body.end());
  }
  p.insert(p.end(), message.begin(), message.end());
  put16(p, 18, static_cast<uint16_t>(p.size() - 54));
  return p;
}

Bytes udp_message(uint16_t src_port, uint16_t dst_port, size_t payload) {
  Bytes m(8 + payload, 0x5a);
  put16(m, 0, src_port);
  put16(m, 2, dst_port);
  put16(m, 4, static_cast<uint16_t>(m.size()));
  put16(m, 6, 0);
  return m;
}

Bytes icmpv6_echo(uint8_t dst_last, uint16_t id, size_t payload) {
  Bytes m(8 + payload, 0x33);
  m[0] = 128, m[1] = 0;
  put16(m, 2, 0);
  put16(m, 4, id);
  put16(m, 6, 7);
  put16(m, 2, icmpv6_sum(dst_last, m));
  return m;
}

bool icmpv6_checksum_valid(const Bytes &frame, size_t offset) {
  Bytes m(frame.begin() + static_cast<long>(offset), frame.end());
  return icmpv6_sum(frame[53], m) == 0;
}

Bytes arp_frame(uint16_t op, uint32_t spa, uint32_t tpa) {
  Bytes p = eth_header(0x0806);
  p.insert(p.end(),
           {0, 1, 8, 0, 6, 4, 0, 0, 2, 0, 0, 0, 0, 0x77, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  put16(p, 20, op);
  for (int i = 0; i < 4; ++i) {
    p[28 + i] = static_cast<uint8_t>(spa >> (24 - 8 * i));
    p[38 + i] = static_cast<uint8_t>(tpa >> (24 - 8 * i));
  }
  return p;
}

} // namespace xdpchain::compiler::testing
