// Random well-typed XDP programs for differential testing: each is printed both in the
// language and as the equivalent C, so that our compiler and clang can be compared on the
// same program. Everything is 64-bit unsigned unless an operation says otherwise; division
// and modulo by zero follow BPF (x / 0 = 0, x mod 0 = x), which the C spells out.
#pragma once

#include <cstdint>
#include <string>

namespace xdpchain::compiler::testing {

struct RandomProgram {
  std::string name; // program and function name: fN
  std::string map;  // its array map (8 u64 slots): mN
  std::string lisp; // defmap + defprog
  std::string c;    // map definition + SEC("xdp") function
};

// The program of `seed` (deterministic: same seed, same program), named after `index`.
RandomProgram generate_random_program(uint64_t seed, int index);

// What every C file of generated functions starts with (includes and helpers).
std::string random_program_c_prelude();

// Bytes every generated program may read or write: it passes shorter packets untouched.
inline constexpr int kRandomProgramMinPacket = 64;

} // namespace xdpchain::compiler::testing
