// Helpers that may move or resize the packet: after one of them every packet pointer a
// program held is stale, and the kernel's verifier forgets them (the kernel's
// bpf_helper_changes_pkt_data()). Pure: no syscalls.
#pragma once

#include <linux/bpf.h>

#include <vector>

namespace xdpchain::dispatcher::fused_opt {

bool helper_changes_packet(int helper_id);

// Whether any instruction calls such a helper or a kfunc (whose effect on the packet the
// optimiser cannot know) anywhere in `insns`, subprograms included.
bool may_change_packet(const std::vector<bpf_insn> &insns);

} // namespace xdpchain::dispatcher::fused_opt
