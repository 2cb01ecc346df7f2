// Differential testing against clang: random programs (random_program.h) are compiled by
// us and, as C, by clang -O2 -target bpf; both are loaded into this kernel and run with
// BPF_PROG_TEST_RUN on the same random packets. Verdicts, the packet bytes out and the
// map contents after every run must agree.
//
// The CI run covers 200 programs from seed 1. More on demand:
//   XDPCHAIN_DIFFTEST_PROGRAMS=10000 XDPCHAIN_DIFFTEST_SEED=1 compiler_difftest
// A mismatch prints the program in both languages and the packet, for a regression test.
#include "compiler_test_support.h"
#include "random_program.h"

#include "compiler/compile.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>

using namespace xdpchain::compiler;
using namespace xdpchain::compiler::testing;

namespace {

constexpr int kBatch = 50; // programs per object (one clang run per batch)
constexpr int kPacketsPerProgram = 6;

uint64_t env_or(const char *name, uint64_t fallback) {
  const char *v = std::getenv(name);
  return v && *v ? std::strtoull(v, nullptr, 0) : fallback;
}

// The seed of program `i`: spread so that neighbouring runs do not share streams.
uint64_t program_seed(uint64_t base, uint64_t i) {
  return base * 0x100000001b3ull + i * 0x9e3779b97f4a7c15ull;
}

std::vector<uint8_t> random_packet(uint64_t &state) {
  auto next = [&state] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return state >> 33;
  };
  // Short packets too (BPF_PROG_TEST_RUN wants an Ethernet header): passed untouched.
  size_t len = next() % 10 == 0 ? 14 + next() % (kRandomProgramMinPacket - 14)
                                : kRandomProgramMinPacket + next() % 64;
  std::vector<uint8_t> p(len);
  for (uint8_t &b : p)
    b = static_cast<uint8_t>(next() % 4 == 0 ? 0 : next() % 4 == 0 ? 0xff : next());
  return p;
}

std::string hex(const std::vector<uint8_t> &bytes) {
  std::string out;
  char buf[4];
  for (uint8_t b : bytes) {
    std::snprintf(buf, sizeof buf, "%02x", b);
    out += buf;
  }
  return out;
}

std::optional<std::vector<uint8_t>> clang_compile(const std::string &c_source, std::string &error) {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("xdpchain_difftest_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::string c_path = (dir / "batch.c").string(), o_path = (dir / "batch.o").string();
  std::ofstream(c_path) << c_source;
  std::string command = "clang -O2 -g -target bpf -w -I/usr/include/" XDPCHAIN_MULTIARCH " -c " +
                        c_path + " -o " + o_path + " 2>" + (dir / "clang.err").string();
  if (std::system(command.c_str()) != 0) {
    std::ifstream err(dir / "clang.err");
    error.assign(std::istreambuf_iterator<char>(err), std::istreambuf_iterator<char>());
    return std::nullopt;
  }
  std::ifstream in(o_path, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
}

std::vector<uint64_t> read_map(int fd) {
  std::vector<uint64_t> out;
  for (uint32_t k = 0; k < 8; ++k)
    out.push_back(map_u64(fd, k));
  return out;
}

std::string describe(const RandomProgram &p, const std::vector<uint8_t> &packet) {
  return "\n--- program (language) ---\n" + p.lisp + "--- program (C) ---\n" + p.c +
         "--- packet ---\n" + hex(packet) + "\n";
}

struct Totals {
  int programs = 0, runs = 0, mismatches = 0;
};

// One batch: both builds, then every program on the same packets.
void run_batch(uint64_t base_seed, uint64_t first, int count, Totals &totals) {
  std::vector<RandomProgram> programs;
  std::string lisp, c = random_program_c_prelude();
  for (int i = 0; i < count; ++i) {
    programs.push_back(
        generate_random_program(program_seed(base_seed, first + i), static_cast<int>(first + i)));
    lisp += programs.back().lisp;
    c += programs.back().c;
  }
  auto ours_elf = compile_source(lisp, "difftest.lisp");
  ASSERT_TRUE(ours_elf.has_value()) << ours_elf.error().str() << "\n" << lisp;
  std::string clang_error;
  auto clang_elf = clang_compile(c, clang_error);
  ASSERT_TRUE(clang_elf.has_value()) << clang_error;
  auto ours = LoadedObject::load(*ours_elf);
  ASSERT_TRUE(ours.has_value()) << ours.error().str(200);
  auto theirs = LoadedObject::load(*clang_elf);
  ASSERT_TRUE(theirs.has_value()) << theirs.error().str(200);
  for (size_t i = 0; i < programs.size(); ++i) {
    const RandomProgram &p = programs[i];
    uint64_t packet_state = program_seed(base_seed, first + i) ^ 0x5bd1e995;
    int our_prog = ours->prog_fd(p.name), their_prog = theirs->prog_fd(p.name);
    int our_map = ours->map_fd(p.map), their_map = theirs->map_fd(p.map);
    ASSERT_GE(our_prog, 0);
    ASSERT_GE(their_prog, 0);
    ++totals.programs;
    for (int n = 0; n < kPacketsPerProgram; ++n) {
      std::vector<uint8_t> packet = random_packet(packet_state);
      RunResult a = test_run(our_prog, packet), b = test_run(their_prog, packet);
      ++totals.runs;
      ASSERT_EQ(a.err, 0);
      ASSERT_EQ(b.err, 0);
      bool same =
          a.retval == b.retval && a.data == b.data && read_map(our_map) == read_map(their_map);
      if (!same) {
        ++totals.mismatches;
        ADD_FAILURE() << "program " << p.name << " (seed " << base_seed << ", index " << first + i
                      << "), packet " << n << ": verdict " << a.retval << " vs clang " << b.retval
                      << "; data out " << (a.data == b.data ? "same" : "differs")
                      << "\nours:  " << hex(a.data) << "\nclang: " << hex(b.data)
                      << describe(p, packet);
        break; // the maps have diverged: later packets say nothing new
      }
    }
  }
}

TEST(Difftest, RandomProgramsAgreeWithClang) {
  uint64_t programs = env_or("XDPCHAIN_DIFFTEST_PROGRAMS", 200);
  uint64_t seed = env_or("XDPCHAIN_DIFFTEST_SEED", 1);
  Totals totals;
  for (uint64_t first = 0; first < programs; first += kBatch) {
    int count = static_cast<int>(std::min<uint64_t>(kBatch, programs - first));
    run_batch(seed, first, count, totals);
    if (totals.mismatches > 20) break;
  }
  std::printf("difftest: %d programs, %d runs, %d mismatches (seed %llu)\n", totals.programs,
              totals.runs, totals.mismatches, static_cast<unsigned long long>(seed));
  EXPECT_EQ(totals.programs, static_cast<int>(programs));
}

// The generator is deterministic: the same seed gives the same program.
TEST(Difftest, GeneratorIsDeterministic) {
  RandomProgram a = generate_random_program(42, 0), b = generate_random_program(42, 0);
  EXPECT_EQ(a.lisp, b.lisp);
  EXPECT_EQ(a.c, b.c);
  EXPECT_NE(a.lisp, generate_random_program(43, 0).lisp);
}

} // namespace
