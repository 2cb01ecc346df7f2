// The maps a member's program uses, read from the kernel by program id, each with the pin
// the member asked for (MemberSpec::map_pins, or pin_root for LIBBPF_PIN_BY_NAME maps)
// when that pin holds this very map. For `xdpchain status` (JSON and -v).
#pragma once

#include <xdpchain/spec.h>
#include <xdpchain/status.h>

#include <cstdint>
#include <vector>

namespace xdpchain::dispatcher {

// Empty when the program is gone or cannot be read (status is best effort here).
std::vector<MemberMap> member_maps(uint32_t prog_id, const ChainMember &member);

} // namespace xdpchain::dispatcher
