// Cost of a chain, measured side by side in one run with BPF_PROG_TEST_RUN on this kernel:
// one program alone against the same program as every member of chains of growing length,
// on the tail-call backend and on the freplace dispatcher's call structure (here with its
// stubs, which a kernel that allows freplace replaces through a trampoline jump), and fused
// programs with counters in either layout (dispatcher_spec.h) and without.
// Prints a table of ns per packet, the ratio to the single program, and the cost per hop.
#include "dispatcher/counters.h"
#include "dispatcher/freplace_generator.h"
#include "dispatcher/fused_generator.h"
#include "dispatcher/program_loader.h"
#include "dispatcher/tailcall_generator.h"
#include "ext/program_object.h"

#include <bpf/bpf.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <stdexcept>
#include <vector>

using namespace xdpchain;
using namespace xdpchain::dispatcher;

namespace {

constexpr int kRepeat = 2'000'000;
constexpr int kRounds = 5;

template <typename T> T must(Result<T> r, const char *what) {
  if (!r) throw std::runtime_error(std::string(what) + ": " + r.error().str());
  return std::move(*r);
}

std::vector<uint8_t> packet() {
  std::vector<uint8_t> p(64, 0);
  p[12] = 0x08; // IPv4 EtherType, zero payload
  return p;
}

// ns per run of one round of kRepeat runs.
double one_round(int prog_fd) {
  std::vector<uint8_t> in = packet();
  LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in.data(),
              .data_size_in = static_cast<uint32_t>(in.size()), .repeat = kRepeat);
  if (bpf_prog_test_run_opts(prog_fd, &opts) != 0)
    throw std::runtime_error(std::string("test run: ") + std::strerror(errno));
  return opts.duration;
}

double median(std::vector<double> rounds) {
  std::sort(rounds.begin(), rounds.end());
  return rounds[rounds.size() / 2];
}

// Median ns per run over kRounds rounds of kRepeat runs.
double ns_per_run(int prog_fd) {
  std::vector<double> rounds;
  for (int r = 0; r < kRounds; ++r)
    rounds.push_back(one_round(prog_fd));
  return median(rounds);
}

// Median ns per run of each program, measured in interleaved rounds (one round of each in
// turn, kRounds times) so that all of them see the same load on a shared machine.
std::vector<double> ns_per_run_interleaved(const std::vector<int> &prog_fds) {
  std::vector<std::vector<double>> rounds(prog_fds.size());
  for (int r = 0; r < kRounds; ++r)
    for (size_t i = 0; i < prog_fds.size(); ++i)
      rounds[i].push_back(one_round(prog_fds[i]));
  std::vector<double> out;
  for (auto &program_rounds : rounds)
    out.push_back(median(std::move(program_rounds)));
  return out;
}

struct Tailcall {
  MapFd counters, array;
  ProgFd root;
  std::vector<ProgFd> entries;
};

Tailcall tailcall_chain(int members, const std::vector<bpf_insn> &member_insns) {
  Tailcall t;
  t.counters = must(create_counters_map(), "counters");
  t.array = MapFd(bpf_map_create(BPF_MAP_TYPE_PROG_ARRAY, "bench", 4, 4, members, nullptr));
  t.root = must(load_program(must(generate_tailcall_root({t.array, false}), "root")), "root");
  for (int i = 0; i < members; ++i) {
    TailcallEntrySpec spec;
    spec.slot = {kDefaultProceedOn, static_cast<uint32_t>(i)};
    spec.position = i;
    spec.last = i + 1 == members;
    spec.prog_array = t.array;
    spec.counters_map = t.counters;
    spec.member_insns = member_insns;
    t.entries.push_back(must(load_program(must(generate_tailcall_entry(spec), "entry")), "entry"));
    uint32_t key = i;
    int fd = t.entries.back().get();
    bpf_map_update_elem(t.array.get(), &key, &fd, BPF_ANY);
  }
  return t;
}

ProgFd freplace_dispatcher(int members, MapRef counters) {
  DispatcherSpec spec;
  spec.counters_map = counters;
  for (int i = 0; i < members; ++i)
    spec.slots.push_back({kDefaultProceedOn, uint32_t(i)});
  return must(load_program(must(generate_freplace_dispatcher(spec), "dispatcher")), "dispatcher");
}

ProgFd fused_chain(int members, const std::vector<bpf_insn> &member_insns, MapRef counters,
                   CounterLayout layout) {
  FusedSpec spec;
  spec.counters_map = counters;
  spec.layout = layout;
  for (int i = 0; i < members; ++i)
    spec.members.push_back(
        {{kDefaultProceedOn, static_cast<uint32_t>(i)}, "m" + std::to_string(i), member_insns});
  return must(load_program(must(generate_fused(spec), "fused").image), "fused");
}

} // namespace

int main(int argc, char **argv) {
  std::string object = argc > 1 ? argv[1] : XDPCHAIN_PROGS_DIR "/xdp_pass.o";
  try {
    auto program = must(ext::ProgramObject::open(object, {}), "open member object");
    if (auto s = program.load_as_xdp(false); !s) throw std::runtime_error(s.error().str());
    const std::vector<bpf_insn> member = program.final_insns();
    double single = ns_per_run(program.prog_fd().get());

    std::printf("xdpchain chain cost: BPF_PROG_TEST_RUN, 64-byte packet, %d runs x %d rounds "
                "(median), member = %s\n\n",
                kRepeat, kRounds, object.c_str());
    std::printf("%-34s %8s %10s %12s %14s\n", "variant", "members", "ns/packet", "x single",
                "ns per member");
    std::printf("%-34s %8d %10.1f %12.2f %14s\n", "single program, no chain", 1, single, 1.0, "-");
    MapFd counters = must(create_counters_map(), "counters");
    std::map<int, double> tailcall_per_member;
    for (int n : {1, 2, 4, 10, 32}) {
      Tailcall chain = tailcall_chain(n, member);
      double t = ns_per_run(chain.root.get());
      tailcall_per_member[n] = (t - single) / n;
      std::printf("%-34s %8d %10.1f %12.2f %14.1f\n", "tail-call backend", n, t, t / single,
                  (t - single) / n);
    }
    for (int n : {1, 2, 4, 10, 32, 64, 127}) {
      ProgFd dispatcher = freplace_dispatcher(n, counters);
      double t = ns_per_run(dispatcher.get());
      std::printf("%-34s %8d %10.1f %12.2f %14.1f\n", "freplace dispatcher (stubs)", n, t,
                  t / single, (t - single) / n);
    }
    // The fused rows: counters in the backend's layout (one increment per member), in the
    // other backends' layout (entered, then the verdict: two), and off. For each length they
    // run in interleaved rounds with the single program and the tail-call backend (at most
    // 32 members: longer fused chains compare with its 32), and compare with those.
    std::printf("\nfused backend, each length measured in interleaved rounds with the single "
                "program and the tail-call backend:\n");
    std::printf("%-34s %8s %10s %12s %14s %16s\n", "variant", "members", "ns/packet", "x single",
                "ns per member", "x tail-call/mbr");
    struct FusedVariant {
      const char *name;
      bool counting;
      CounterLayout layout;
    };
    const FusedVariant fused_variants[] = {
        {"fused backend", true, counter_layout(Backend::fused)},
        {"fused, entered+verdict counters", true, CounterLayout::entered_then_verdict},
        {"fused backend, counters off", false, counter_layout(Backend::fused)}};
    for (int n : {1, 2, 4, 10, 32, 64, 128}) {
      const int hops = std::min(n, 32);
      Tailcall tailcall = tailcall_chain(hops, member);
      std::vector<ProgFd> fused;
      std::vector<int> fds = {program.prog_fd().get(), tailcall.root.get()};
      for (const FusedVariant &variant : fused_variants) {
        fused.push_back(
            fused_chain(n, member, variant.counting ? counters.ref() : MapRef(), variant.layout));
        fds.push_back(fused.back().get());
      }
      std::vector<double> t = ns_per_run_interleaved(fds);
      const double single_now = t[0];
      const double tailcall_per_hop = (t[1] - single_now) / hops;
      std::printf("%-34s %8d %10.1f %12.2f %14.2f %16s\n", "  tail-call backend", hops, t[1],
                  t[1] / single_now, tailcall_per_hop, "1.00");
      for (size_t v = 0; v < std::size(fused_variants); ++v) {
        const double chain = t[2 + v];
        const double per_member = (chain - single_now) / n;
        std::printf("%-34s %8d %10.1f %12.2f %14.2f %16.2f\n", fused_variants[v].name, n, chain,
                    chain / single_now, per_member, per_member / tailcall_per_hop);
      }
    }
    std::printf("\nns per member = (chain - single) / members: the chain's own cost per hop,\n"
                "counters included (except \"counters off\"). freplace rows run the dispatcher's "
                "stubs; an attached\n"
                "extension adds a trampoline jump per member on kernels that allow freplace.\n");
  } catch (const std::exception &e) {
    std::fprintf(stderr, "chain_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
