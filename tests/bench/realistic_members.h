// The realistic chain's programs (tests/progs/real_*.c): eight independently written
// members in chain order and the hand-written program doing their eight checks, loaded as
// plain XDP programs with their maps filled as the benchmark and the differential tests
// use them: a block list of 64 source addresses in 192.0.2.0/26 and the deny prefixes
// 198.51.100.0/24 and 203.0.113.128/25 (none of them matches benign_udp()).
#pragma once

#include "ext/program_object.h"

#include <string>
#include <vector>

namespace xdpchain::realistic {

// Program names, in chain order.
const std::vector<std::string> &member_names();

struct Programs {
  std::vector<ext::ProgramObject> members;     // in chain order
  std::vector<ext::ProgramObject> handwritten; // one program
};

// Opens and loads every program from `progs_dir` and fills their maps; throws on failure.
Programs load(const std::string &progs_dir);

// A UDP datagram (10.1.0.2:40000 -> 10.1.0.1:5353, TTL 64, 32 payload bytes) that every
// member passes.
std::vector<uint8_t> benign_udp();

} // namespace xdpchain::realistic
