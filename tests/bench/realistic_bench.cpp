// The realistic benchmark: eight independently written members (tests/progs/real_*.c, each
// parsing its own headers) as one chain, against one hand-written program doing the same
// eight checks (real_handwritten.c). On a UDP datagram every member passes, in one run and
// in interleaved rounds (one round of each program in turn, so all see the same load on a
// shared machine), BPF_PROG_TEST_RUN with repeat gives ns per packet; the table shows the
// minimum and the median over the rounds and their ratios to the hand-written program.
#include "tests/bench/realistic_members.h"

#include "dispatcher/counters.h"
#include "dispatcher/fused_generator.h"
#include "dispatcher/program_loader.h"
#include "dispatcher/tailcall_generator.h"

#include <bpf/bpf.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <vector>

using namespace xdpchain;
using namespace xdpchain::dispatcher;

namespace {

constexpr int kRepeat = 500'000;
constexpr int kRounds = 31;

template <typename T> T must(Result<T> r, const char *what) {
  if (!r) throw std::runtime_error(std::string(what) + ": " + r.error().str());
  return std::move(*r);
}

struct Run {
  double ns = 0;
  uint32_t verdict = 0;
};

Run one_round(int prog_fd, const std::vector<uint8_t> &packet, int repeat) {
  std::vector<uint8_t> in = packet, out(packet.size() + 256);
  LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in.data(), .data_out = out.data(),
              .data_size_in = static_cast<uint32_t>(in.size()),
              .data_size_out = static_cast<uint32_t>(out.size()), .repeat = repeat);
  // The kernel reports whole ns per run; the round's own clock gives fractions of one.
  const auto start = std::chrono::steady_clock::now();
  if (bpf_prog_test_run_opts(prog_fd, &opts) != 0)
    throw std::runtime_error(std::string("test run: ") + std::strerror(errno));
  const std::chrono::duration<double, std::nano> took = std::chrono::steady_clock::now() - start;
  return {took.count() / repeat, opts.retval};
}

struct Tailcall {
  MapFd counters, array;
  ProgFd root;
  std::vector<ProgFd> entries;
};

Tailcall tailcall_chain(const std::vector<std::vector<bpf_insn>> &members) {
  Tailcall t;
  const int n = static_cast<int>(members.size());
  t.counters = must(create_counters_map(), "counters");
  t.array = MapFd(bpf_map_create(BPF_MAP_TYPE_PROG_ARRAY, "bench", 4, 4, n, nullptr));
  t.root = must(load_program(must(generate_tailcall_root({t.array, false}), "root")), "root");
  for (int i = 0; i < n; ++i) {
    TailcallEntrySpec spec;
    spec.slot = {kDefaultProceedOn, static_cast<uint32_t>(i)};
    spec.position = i;
    spec.last = i + 1 == n;
    spec.prog_array = t.array;
    spec.counters_map = t.counters;
    spec.member_insns = members[i];
    t.entries.push_back(must(load_program(must(generate_tailcall_entry(spec), "entry")), "entry"));
    uint32_t key = i;
    int fd = t.entries.back().get();
    if (bpf_map_update_elem(t.array.get(), &key, &fd, BPF_ANY) != 0)
      throw std::runtime_error("prog array update");
  }
  return t;
}

struct Fused {
  ProgFd prog;
  size_t insns = 0;
};

Fused fused_chain(const std::vector<std::vector<bpf_insn>> &members, MapRef counters,
                  bool optimise) {
  FusedSpec spec;
  spec.counters_map = counters;
  spec.optimise = optimise;
  for (size_t i = 0; i < members.size(); ++i)
    spec.members.push_back(
        {{kDefaultProceedOn, static_cast<uint32_t>(i)}, realistic::member_names()[i], members[i]});
  FusedImage image = must(generate_fused(spec), "fused");
  if (optimise && counters)
    std::printf("optimised: fast path for packets of %u+ bytes, %zu bounds checks removed, "
                "%zu ctx->data loads reused, %zu jumps threaded\n",
                image.fast_path_bytes, image.checks_removed, image.data_loads_reused,
                image.jumps_threaded);
  Fused out;
  out.insns = image.image.insns.size();
  out.prog = must(load_program(image.image), "fused");
  return out;
}

struct Variant {
  std::string name;
  int fd;
  size_t insns;
  std::vector<double> rounds;
};

} // namespace

int main(int argc, char **argv) {
  const std::string dir = argc > 1 ? argv[1] : XDPCHAIN_PROGS_DIR;
  try {
    realistic::Programs programs = realistic::load(dir);
    std::vector<std::vector<bpf_insn>> members;
    size_t member_insns = 0;
    for (const auto &member : programs.members) {
      members.push_back(member.final_insns());
      member_insns += members.back().size();
    }
    MapFd counters = must(create_counters_map(), "counters");
    Tailcall tailcall = tailcall_chain(members);
    Fused with_counters = fused_chain(members, counters, true);
    Fused without_counters = fused_chain(members, MapRef(), true);
    Fused plain_with_counters = fused_chain(members, counters, false);
    Fused plain_without_counters = fused_chain(members, MapRef(), false);

    std::vector<Variant> variants = {
        {"hand-written program",
         programs.handwritten[0].prog_fd().get(),
         programs.handwritten[0].final_insns().size(),
         {}},
        {"fused, counters", with_counters.prog.get(), with_counters.insns, {}},
        {"fused, counters off", without_counters.prog.get(), without_counters.insns, {}},
        {"fused, counters, unopt.", plain_with_counters.prog.get(), plain_with_counters.insns, {}},
        {"fused, no counters, unopt.",
         plain_without_counters.prog.get(),
         plain_without_counters.insns,
         {}},
        {"tail-call backend", tailcall.root.get(), 0, {}},
    };
    // XDPCHAIN_BENCH_PIN=DIR pins the optimised fused programs there, for bpftool.
    if (const char *pin = std::getenv("XDPCHAIN_BENCH_PIN")) {
      bpf_obj_pin(with_counters.prog.get(), (std::string(pin) + "/fused_counters").c_str());
      bpf_obj_pin(without_counters.prog.get(), (std::string(pin) + "/fused_plain").c_str());
    }
    const std::vector<uint8_t> packet = realistic::benign_udp();
    for (const Variant &v : variants)
      if (uint32_t verdict = one_round(v.fd, packet, 1).verdict; verdict != XDP_PASS)
        throw std::runtime_error(v.name + " returned " + std::to_string(verdict) +
                                 " on the benign datagram, not XDP_PASS");
    for (int r = 0; r < kRounds; ++r)
      for (Variant &v : variants)
        v.rounds.push_back(one_round(v.fd, packet, kRepeat).ns);

    std::printf("realistic chain: 8 members (%zu instructions in all), %zu-byte UDP datagram "
                "every member passes,\nBPF_PROG_TEST_RUN, %d interleaved rounds of %d runs (wall "
                "time of the round / runs)\n\n",
                member_insns, packet.size(), kRounds, kRepeat);
    std::printf("%-24s %6s %8s %8s %8s %8s\n", "variant", "insns", "min ns", "med ns", "x min",
                "x med");
    double hand_min = 0, hand_median = 0;
    for (Variant &v : variants) {
      std::sort(v.rounds.begin(), v.rounds.end());
      const double min = v.rounds.front(), median = v.rounds[v.rounds.size() / 2];
      if (&v == &variants.front()) hand_min = min, hand_median = median;
      std::printf("%-24s %6s %8.2f %8.2f %8.3f %8.3f\n", v.name.c_str(),
                  v.insns ? std::to_string(v.insns).c_str() : "-", min, median, min / hand_min,
                  median / hand_median);
    }
    std::printf("\nx min, x med: ratio to the hand-written program's min and median.\n");
  } catch (const std::exception &e) {
    std::fprintf(stderr, "realistic_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
