// A tail-call member's final instructions, kept in a pinned map between generations so an
// unchanged member's entry program can be rebuilt without reloading its object (which would
// create new maps). Map references are stored as map ids and turned back into fds on use.
#pragma once

#include "common/fd.h"
#include "common/result.h"

#include <linux/bpf.h>

#include <vector>

namespace xdpchain::dispatcher {

// Refuses instructions the tail-call backend cannot re-host, with the reason.
Status check_rehostable(const std::vector<bpf_insn> &insns);
// Creates a frozen map holding `insns` with map fds replaced by map ids.
Result<MapFd> store_member_insns(const std::vector<bpf_insn> &insns);

struct LoadedInsns {
  std::vector<bpf_insn> insns; // map fds valid while `map_fds` lives
  std::vector<MapFd> map_fds;
};
Result<LoadedInsns> load_member_insns(MapRef insns_map);

} // namespace xdpchain::dispatcher
