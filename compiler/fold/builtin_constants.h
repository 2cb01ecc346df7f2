// Named constants every program can use: XDP actions, map update flags, TC and socket
// verdicts, protocol numbers and header lengths.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace xdpchain::compiler {

// Value of a built-in constant by its (lower-case) name.
std::optional<int64_t> builtin_constant(const std::string &name);

} // namespace xdpchain::compiler
