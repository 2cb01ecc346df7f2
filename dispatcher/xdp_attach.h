// The interface end of a chain: which XDP program the kernel runs on an interface, and the
// pinned XDP bpf_link through which we attach and atomically swap our dispatcher.
#pragma once

#include "common/fd.h"
#include "common/result.h"
#include "dispatcher/chain_spec.h"

#include <cstdint>
#include <string>

namespace xdpchain::dispatcher {

// What the kernel reports as attached to an interface.
struct AttachedProgram {
  uint32_t prog_id = 0; // 0: nothing attached
  Mode mode = Mode::native;
  std::string name;
  bool libxdp_dispatcher = false;
  std::string describe() const; // "XDP program 'fw' (id 7, generic mode)"
};

Result<AttachedProgram> query_attached(int ifindex);

struct XdpLinkInfo {
  uint32_t link_id = 0;
  uint32_t prog_id = 0;
  int ifindex = 0; // 0: the interface went away, the link is defunct
};
Result<XdpLinkInfo> xdp_link_info(LinkRef link);

// Creates an XDP link in `mode`. A clear error names the other mode when this one is refused.
Result<LinkFd> create_xdp_link(int ifindex, const std::string &ifname, ProgRef prog, Mode mode);
// Swaps the link's program to `new_prog` only if it still runs `old_prog`.
Status swap_xdp_link(LinkRef link, ProgRef new_prog, ProgRef old_prog);
// Detaches a netlink-attached program (used only with --force on a foreign program).
Status detach_netlink_program(int ifindex, Mode mode);

} // namespace xdpchain::dispatcher
