// The packet library of the prelude (VLAN, IPv6 extension headers, ICMP, ICMPv6, ARP,
// checksums), written in the language itself.
#pragma once

namespace xdpchain::compiler {

// The library's defmacro forms as source text, read with the rest of the prelude.
const char *packet_prelude_text();

} // namespace xdpchain::compiler
