// A chain target as one string that changes whenever anything an apply would read from
// the target changes: the agent compares it with what it applied last, so an unchanged
// chain is never applied again (no object read, no generation built).
#pragma once

#include <xdpchain/target.h>

#include <string>
#include <vector>

namespace xdpchain::agent {

std::string chain_fingerprint(const ChainTarget &target);

// The object files the target's members are loaded from (each once).
std::vector<std::string> object_paths(const ChainTarget &target);

} // namespace xdpchain::agent
