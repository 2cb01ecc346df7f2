// The generated programs, loaded into this kernel and run with BPF_PROG_TEST_RUN: the
// freplace dispatcher (with its stubs, since this host refuses extensions) and chains of
// tail-call entries and fused programs, checking verdicts, continue semantics and per-slot
// counters.
#include "common/insn_builder.h"
#include "dispatcher/chain_config.h"
#include "dispatcher/counters.h"
#include "dispatcher/freplace_generator.h"
#include "dispatcher/fused_generator.h"
#include "dispatcher/program_loader.h"
#include "dispatcher/tailcall_generator.h"
#include "ext/extension.h"
#include "tests/support/bpf_kernel.h"
#include "tests/support/packet_builder.h"

#include <bpf/bpf.h>

#include <gtest/gtest.h>

namespace xdpchain::dispatcher {
namespace {

std::vector<uint8_t> icmp_packet() {
  return test::PacketBuilder().ipv4("10.1.0.1", "10.1.0.2").icmp_echo().build();
}

template <class Kind> OwnedFd<Kind> must(Result<OwnedFd<Kind>> fd) {
  if (!fd) ADD_FAILURE() << fd.error().str();
  return fd ? std::move(*fd) : OwnedFd<Kind>();
}

class FreplaceDispatcher : public ::testing::TestWithParam<int> {};

TEST_P(FreplaceDispatcher, LoadsRunsStubsAndCountsEverySlot) {
  const int slots = GetParam();
  MapFd counters = must(create_counters_map());
  DispatcherSpec spec;
  spec.counters_map = counters;
  for (int i = 0; i < slots; ++i)
    spec.slots.push_back({kDefaultProceedOn, static_cast<uint32_t>(slots - 1 - i)});
  auto image = generate_freplace_dispatcher(spec);
  ASSERT_TRUE(image.has_value()) << image.error().str();
  ProgFd prog = must(load_program(*image));
  ASSERT_TRUE(prog.valid());

  // Every stub is a global function the kernel knows by name: an freplace target.
  for (int i : {0, slots - 1}) {
    auto id = ext::function_btf_id(prog, slot_function_name(i));
    EXPECT_TRUE(id.has_value()) << (id ? "" : id.error().str());
  }
  EXPECT_EQ(test::test_run(prog.get(), icmp_packet()).verdict, XDP_PASS);
  EXPECT_EQ(test::test_run(prog.get(), icmp_packet()).verdict, XDP_PASS);

  auto blocks = read_counters(counters, counter_layout(Backend::freplace));
  ASSERT_TRUE(blocks.has_value());
  for (int i = 0; i < slots; ++i) {
    EXPECT_EQ((*blocks)[i].entered, 2u) << "block " << i;
    EXPECT_EQ((*blocks)[i].verdicts[XDP_PASS], 2u) << "block " << i;
  }
  EXPECT_EQ((*blocks)[slots].entered, 0u) << "a block no slot uses stays zero";
}

INSTANTIATE_TEST_SUITE_P(Sizes, FreplaceDispatcher, ::testing::Values(1, 10, 64, 127));

TEST(FreplaceDispatcher, GrowsByOneSlotOfCodePerMember) {
  MapFd counters = must(create_counters_map());
  DispatcherSpec one{{{kDefaultProceedOn, 0}}, false, counters};
  DispatcherSpec two{{{kDefaultProceedOn, 0}, {kDefaultProceedOn, 1}}, false, counters};
  auto a = generate_freplace_dispatcher(one);
  auto b = generate_freplace_dispatcher(two);
  ASSERT_TRUE(a && b);
  size_t per_slot = b->insns.size() - a->insns.size();
  // The dispatcher grows by one slot's code per member, nothing else.
  EXPECT_LT(per_slot, 30u);
  EXPECT_EQ(a->func_info.size(), 2u);
  EXPECT_EQ(b->func_info.size(), 3u);
}

// A member whose whole code is `return verdict`.
std::vector<bpf_insn> returns(int verdict) {
  bpf::InsnBuilder b;
  b.mov64_imm(bpf::R0, verdict);
  b.exit_insn();
  return *b.assemble();
}

struct Member {
  int verdict;
  ActionMask proceed_on;
};

// Builds a tail-call chain like the backend does and keeps it alive.
struct TailcallChain {
  MapFd counters, prog_array;
  ProgFd root;
  std::vector<ProgFd> entries;

  explicit TailcallChain(const std::vector<Member> &members) {
    counters = must(create_counters_map());
    prog_array = MapFd(bpf_map_create(BPF_MAP_TYPE_PROG_ARRAY, "t", 4, 4, members.size(), nullptr));
    auto root_image = generate_tailcall_root({prog_array, false});
    root = must(load_program(*root_image));
    for (size_t i = 0; i < members.size(); ++i) {
      TailcallEntrySpec spec;
      spec.slot = {members[i].proceed_on, static_cast<uint32_t>(i)};
      spec.position = i;
      spec.last = i + 1 == members.size();
      spec.prog_array = prog_array;
      spec.counters_map = counters;
      spec.member_insns = returns(members[i].verdict);
      auto image = generate_tailcall_entry(spec);
      entries.push_back(must(load_program(*image)));
      uint32_t key = i;
      int fd = entries.back().get();
      EXPECT_EQ(bpf_map_update_elem(prog_array.get(), &key, &fd, BPF_ANY), 0);
    }
  }
  int run() { return test::test_run(root.get(), icmp_packet()).verdict; }
  Counters block(int i) { return (*read_counters(counters, counter_layout(Backend::tailcall)))[i]; }
};

constexpr ActionMask bit(int action) {
  return 1u << action;
}

TEST(TailcallChain, VerdictInContinueSetLetsTheNextMemberDecide) {
  for (int verdict = XDP_ABORTED; verdict <= XDP_REDIRECT; ++verdict) {
    int next = verdict == XDP_TX ? XDP_DROP : XDP_TX;
    TailcallChain chain({{verdict, bit(verdict)}, {next, bit(XDP_PASS)}});
    EXPECT_EQ(chain.run(), next) << "first member returned " << verdict;
    EXPECT_EQ(chain.block(0).verdicts[verdict], 1u);
    EXPECT_EQ(chain.block(1).entered, 1u);
  }
}

TEST(TailcallChain, VerdictOutsideContinueSetIsFinal) {
  for (int verdict = XDP_ABORTED; verdict <= XDP_REDIRECT; ++verdict) {
    ActionMask others = 0x1f & ~bit(verdict);
    TailcallChain chain({{verdict, others}, {XDP_PASS, bit(XDP_PASS)}});
    EXPECT_EQ(chain.run(), verdict);
    EXPECT_EQ(chain.block(1).entered, 0u) << "the second member must not run";
  }
}

TEST(TailcallChain, RunsOffTheEndAsPassAndCountsUnknownVerdicts) {
  TailcallChain chain({{XDP_DROP, bit(XDP_DROP)}, {XDP_TX, bit(XDP_TX)}});
  EXPECT_EQ(chain.run(), XDP_PASS);
  TailcallChain odd({{7, bit(XDP_PASS)}, {XDP_PASS, bit(XDP_PASS)}});
  EXPECT_EQ(odd.run(), 7);
  EXPECT_EQ(odd.block(0).other, 1u);
}

TEST(TailcallChain, ThirtyTwoMembersAllRun) {
  std::vector<Member> members(32, {XDP_PASS, bit(XDP_PASS)});
  members.back() = {XDP_DROP, bit(XDP_PASS)};
  TailcallChain chain(members);
  EXPECT_EQ(chain.run(), XDP_DROP);
  for (int i = 0; i < 32; ++i)
    EXPECT_EQ(chain.block(i).entered, 1u) << "member " << i;
}

// A member that tail-calls slot 0 of `prog_array` and returns `verdict` when the tail call
// does not happen (the slot is empty).
std::vector<bpf_insn> tail_calls_then_returns(MapRef prog_array, int verdict) {
  bpf::InsnBuilder b;
  b.ld_map_fd(bpf::R2, prog_array);
  b.mov64_imm(bpf::R3, 0);
  b.call_helper(BPF_FUNC_tail_call);
  b.mov64_imm(bpf::R0, verdict);
  b.exit_insn();
  return *b.assemble();
}

// A fused program over `members` (code, proceed set), counter block i for member i, in the
// fused backend's counter layout unless told otherwise.
struct FusedChain {
  MapFd counters;
  ProgFd prog;
  CounterLayout layout;

  FusedChain(const std::vector<std::pair<std::vector<bpf_insn>, ActionMask>> &members,
             CounterLayout layout = counter_layout(Backend::fused))
      : layout(layout) {
    counters = must(create_counters_map());
    FusedSpec spec;
    spec.counters_map = counters;
    spec.layout = layout;
    for (size_t i = 0; i < members.size(); ++i)
      spec.members.push_back({{members[i].second, static_cast<uint32_t>(i)},
                              "m" + std::to_string(i),
                              members[i].first});
    auto fused = generate_fused(spec);
    EXPECT_TRUE(fused.has_value()) << fused.error().str();
    if (fused) prog = must(load_program(fused->image));
  }
  int run() { return test::test_run(prog.get(), icmp_packet()).verdict; }
  Counters block(int i) { return (*read_counters(counters, layout))[i]; }
};

void expect_counts(const Counters &c, uint64_t entered, int verdict, uint64_t n,
                   const std::string &what) {
  SCOPED_TRACE(what);
  EXPECT_EQ(c.entered, entered);
  for (int action = XDP_ABORTED; action <= XDP_REDIRECT; ++action)
    EXPECT_EQ(c.verdicts[action], action == verdict ? n : 0u) << "verdict " << action;
  EXPECT_EQ(c.other, verdict > XDP_REDIRECT ? n : 0u);
}

// Both layouts give the same counts for every verdict, the one past XDP_REDIRECT included,
// and a member that never runs counts nothing.
TEST(FusedChain, CountsEntriesAndVerdictsInEitherLayout) {
  for (CounterLayout layout :
       {CounterLayout::verdict_carries_entry, CounterLayout::entered_then_verdict})
    for (int verdict :
         {int(XDP_ABORTED), int(XDP_DROP), int(XDP_PASS), int(XDP_TX), int(XDP_REDIRECT), 7}) {
      const bool goes_on = verdict <= XDP_REDIRECT;
      std::string what = "layout " + std::to_string(static_cast<int>(layout)) + ", verdict " +
                         std::to_string(verdict);
      // A verdict past XDP_REDIRECT is never in a continue set: the chain ends there.
      FusedChain chain({{returns(verdict), goes_on ? bit(verdict) : bit(XDP_PASS)},
                        {returns(XDP_DROP), bit(XDP_PASS)},
                        {returns(XDP_PASS), bit(XDP_PASS)}},
                       layout);
      for (int i = 0; i < 3; ++i)
        EXPECT_EQ(chain.run(), goes_on ? XDP_DROP : verdict) << what;
      expect_counts(chain.block(0), 3, verdict, 3, what + ", member 0");
      expect_counts(chain.block(1), goes_on ? 3 : 0, XDP_DROP, goes_on ? 3 : 0,
                    what + ", member 1");
      expect_counts(chain.block(2), 0, XDP_PASS, 0, what + ", member 2");
    }
}

// A member with an empty continue set ends the chain for every packet; the members after
// it, and the chain's own "ran off the end" code, are then unreachable, which the verifier
// refuses, so they are left out.
TEST(FusedChain, EmptyContinueSetEndsTheChain) {
  FusedChain chain({{returns(XDP_PASS), bit(XDP_PASS)},
                    {returns(XDP_TX), 0},
                    {returns(XDP_DROP), bit(XDP_PASS)}});
  ASSERT_TRUE(chain.prog.valid());
  EXPECT_EQ(chain.run(), XDP_TX);
  expect_counts(chain.block(1), 1, XDP_TX, 1, "member 1");
  expect_counts(chain.block(2), 0, XDP_DROP, 0, "member 2");
  FusedChain last_ends({{returns(XDP_PASS), bit(XDP_PASS)}, {returns(XDP_DROP), 0}});
  ASSERT_TRUE(last_ends.prog.valid());
  EXPECT_EQ(last_ends.run(), XDP_DROP);
}

// In the one-increment layout a member that may tail-call counts its entry on its own: a
// tail call that happens leaves the chain with no verdict, one that fails falls through to
// the member's verdict, and either way the member was entered exactly once.
TEST(FusedChain, MemberThatTailCallsIsEnteredOnceWhetherOrNotTheCallHappens) {
  MapFd prog_array(bpf_map_create(BPF_MAP_TYPE_PROG_ARRAY, "t", 4, 4, 1, nullptr));
  ASSERT_TRUE(prog_array.valid());
  FusedChain chain({{returns(XDP_PASS), bit(XDP_PASS)},
                    {tail_calls_then_returns(prog_array, XDP_PASS), bit(XDP_PASS)},
                    {returns(XDP_DROP), bit(XDP_PASS)}});
  EXPECT_EQ(chain.run(), XDP_DROP) << "empty slot: the tail call falls through";
  EXPECT_EQ(chain.run(), XDP_DROP);
  expect_counts(chain.block(1), 2, XDP_PASS, 2, "tail call not taken");

  bpf::InsnBuilder target_code;
  target_code.mov64_imm(bpf::R0, XDP_TX);
  target_code.exit_insn();
  ProgramImage image;
  image.name = "target";
  image.insns = *target_code.assemble();
  ProgFd target = must(load_program(image));
  uint32_t key = 0;
  int fd = target.get();
  ASSERT_EQ(bpf_map_update_elem(prog_array.get(), &key, &fd, BPF_ANY), 0);
  EXPECT_EQ(chain.run(), XDP_TX) << "the tail-called program's verdict is final";
  Counters tailer = chain.block(1);
  EXPECT_EQ(tailer.entered, 3u);
  EXPECT_EQ(tailer.verdicts[XDP_PASS], 2u) << "a tail call that leaves gives no verdict";
  EXPECT_EQ(tailer.verdicts[XDP_TX], 0u);
  EXPECT_EQ(chain.block(0).entered, 3u);
  EXPECT_EQ(chain.block(2).entered, 2u) << "the member after the tail call did not run";
}

// The one-increment layout is cheaper than two: one counter update per plain member.
TEST(FusedChain, OneIncrementPerMemberIsShorterCode) {
  MapFd counters = must(create_counters_map());
  auto size = [&](CounterLayout layout) {
    FusedSpec spec;
    spec.counters_map = counters;
    spec.layout = layout;
    for (uint32_t i = 0; i < 4; ++i)
      spec.members.push_back({{kDefaultProceedOn, i}, "m", returns(XDP_PASS)});
    auto generated = generate_fused(spec);
    EXPECT_TRUE(generated) << generated.error().str();
    return generated ? generated->image.insns.size() : size_t{0};
  };
  EXPECT_EQ(size(CounterLayout::entered_then_verdict) - size(CounterLayout::verdict_carries_entry),
            4u * 4u)
      << "4 instructions (reload, load, add, store) fewer per member";
}

TEST(ChainConfig, RoundTripsAndIsFrozen) {
  ChainConfig config;
  config.backend = Backend::tailcall;
  config.mode = Mode::generic;
  config.generation = 7;
  SlotRecord slot;
  slot.label = "drop-icmp";
  slot.program = "xdp_drop_icmp";
  slot.object_path = "/opt/progs/xdp_drop_icmp.o";
  slot.object_hash = 0x1234567890abcdefull;
  slot.priority = -3;
  slot.proceed_on = bit(XDP_PASS) | bit(XDP_DROP);
  slot.counter_index = 5;
  slot.sequence = 9;
  slot.baseline.entered = 42;
  slot.baseline.verdicts[XDP_DROP] = 40;
  slot.pin_root = "/sys/fs/bpf/shared";
  slot.map_pins = {{"drops", "/sys/fs/bpf/shared/drops"}, {"seen", "/sys/fs/bpf/x/seen"}};
  config.slots = {slot, slot};
  config.slots[1].label = "second";

  auto fd = write_config_map(config);
  ASSERT_TRUE(fd.has_value()) << fd.error().str();
  auto back = read_config_map(*fd);
  ASSERT_TRUE(back.has_value()) << back.error().str();
  EXPECT_EQ(back->backend, Backend::tailcall);
  EXPECT_EQ(back->mode, Mode::generic);
  EXPECT_EQ(back->generation, 7u);
  ASSERT_EQ(back->slots.size(), 2u);
  EXPECT_EQ(back->slots[0].object_path, slot.object_path);
  EXPECT_EQ(back->slots[0].object_hash, slot.object_hash);
  EXPECT_EQ(back->slots[0].priority, -3);
  EXPECT_EQ(back->slots[0].baseline.verdicts[XDP_DROP], 40u);
  EXPECT_EQ(back->slots[1].label, "second");
  EXPECT_EQ(back->slots[0].pin_root, slot.pin_root);
  EXPECT_EQ(back->slots[0].map_pins, slot.map_pins);

  std::vector<uint8_t> junk(kConfigRecordSize, 0);
  uint32_t key = 0;
  EXPECT_NE(bpf_map_update_elem(fd->get(), &key, junk.data(), BPF_ANY), 0)
      << "the config map must be frozen";
}

TEST(ChainConfig, RefusesTooLongNames) {
  ChainConfig config;
  SlotRecord slot;
  slot.label = std::string(80, 'x');
  config.slots = {slot};
  auto fd = write_config_map(config);
  ASSERT_FALSE(fd.has_value());
  EXPECT_NE(fd.error().str().find("longer than 63"), std::string::npos) << fd.error().str();
}

} // namespace
} // namespace xdpchain::dispatcher
