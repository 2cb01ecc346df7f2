// plan_chain() against a fake ChainView: which members keep their programs, counter blocks
// and baselines, deltas, and every refusal, with no kernel. The real view is exercised by
// the chain and manifest netns tests.
#include "dispatcher/dispatcher_spec.h"
#include "dispatcher/planner.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <map>
#include <string>
#include <vector>

namespace xdpchain::dispatcher {
namespace {

// Objects by path, the program attached to the interface, the probe's choice and the
// counters map: what a test sets, the planner reads.
class FakeView : public ChainView {
public:
  std::map<std::string, ObjectFacts> objects; // by object path; missing = ENOENT
  AttachedProgram attached;
  Backend preferred = Backend::tailcall;
  std::vector<Counters> counters = std::vector<Counters>(kCounterBlocks);
  std::vector<size_t> opened; // indexes open_object() was asked for

  Result<ObjectFacts> open_object(const MemberSpec &member, size_t index) override {
    opened.push_back(index);
    auto it = objects.find(member.object_path);
    if (it == objects.end()) return Error::from_errno("open '" + member.object_path + "'", ENOENT);
    return it->second;
  }
  Result<AttachedProgram> attached_program() override { return attached; }
  Backend preferred_backend() override { return preferred; }
  std::vector<CounterLayout> layouts; // layouts counter_values() was asked for
  Result<std::vector<Counters>> counter_values(CounterLayout layout) override {
    layouts.push_back(layout);
    return counters;
  }
};

MemberSpec member(const std::string &label, const std::string &path, int priority) {
  MemberSpec m;
  m.label = label;
  m.object_path = path;
  m.priority = priority;
  return m;
}

SlotRecord slot(const std::string &label, const std::string &path, uint64_t hash, int priority,
                uint32_t counter_index, uint32_t prog_id, uint32_t sequence) {
  SlotRecord r;
  r.label = label;
  r.program = label + "_prog";
  r.object_path = path;
  r.object_hash = hash;
  r.priority = priority;
  r.counter_index = counter_index;
  r.member_prog_id = prog_id;
  r.sequence = sequence;
  r.baseline.entered = 1000 + counter_index;
  return r;
}

class PlannerTest : public ::testing::Test {
protected:
  void SetUp() override {
    view.objects["/o/a.o"] = {"a_prog", 11, false, {}};
    view.objects["/o/b.o"] = {"b_prog", 22, false, {}};
    view.objects["/o/c.o"] = {"c_prog", 33, false, {}};
    for (uint32_t i = 0; i < kCounterBlocks; ++i)
      view.counters[i].entered = 500 + i;
  }
  // A running tail-call chain on eth0: a (prio 10, counter block 0) then b (20, block 1).
  void run_a_and_b() {
    current.present = true;
    current.config.backend = Backend::tailcall;
    current.config.mode = Mode::native;
    current.config.generation = 4;
    current.config.slots = {slot("a", "/o/a.o", 11, 10, 0, 101, 1),
                            slot("b", "/o/b.o", 22, 20, 1, 102, 2)};
  }
  ChainSpec desired(std::vector<MemberSpec> members) const {
    ChainSpec spec;
    spec.interface = "eth0";
    spec.members = std::move(members);
    return spec;
  }
  Result<ChainPlan> plan(const ChainSpec &spec) { return plan_chain(spec, current, options, view); }

  FakeView view;
  CurrentChain current;
  ChainOptions options;
};

std::vector<std::string> run_order(const ChainPlan &plan) {
  std::vector<std::string> labels;
  for (const auto &m : plan.members)
    labels.push_back(m.record.label);
  return labels;
}

const MemberDelta *delta(const ChainPlan &plan, const std::string &label) {
  for (const auto &d : plan.deltas)
    if (d.label == label) return &d;
  return nullptr;
}

TEST_F(PlannerTest, UnchangedMembersKeepTheirProgramsAndNothingChanges) {
  run_a_and_b();
  auto p = plan(desired({member("b", "/o/b.o", 20), member("a", "/o/a.o", 10)}));
  ASSERT_TRUE(p) << p.error().str();
  EXPECT_FALSE(p->changes);
  EXPECT_EQ(p->backend, Backend::tailcall) << "auto keeps the chain's backend";
  ASSERT_EQ(run_order(*p), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(p->members[0].reuse_slot, 0);
  EXPECT_EQ(p->members[0].record.member_prog_id, 101u);
  EXPECT_EQ(p->members[1].reuse_slot, 1);
  EXPECT_EQ(p->members[1].record.member_prog_id, 102u);
  for (const auto &d : p->deltas)
    EXPECT_EQ(d.change, MemberChange::unchanged) << d.label;
}

// The spec of a running member (spec_of, what `edit` and `export` start from) plans to the
// same member: same program, nothing changed, every setting kept.
TEST_F(PlannerTest, SpecOfARunningMemberKeepsItAsItIs) {
  run_a_and_b();
  current.config.slots[1].proceed_on = (1u << 2) | (1u << 1);
  current.config.slots[1].map_pins = {{"seen", "/sys/fs/bpf/shared/seen"}};
  current.config.slots[1].pin_root = "/sys/fs/bpf/shared";
  std::vector<MemberSpec> members;
  for (const SlotRecord &record : current.config.slots)
    members.push_back(spec_of(record));
  auto p = plan(desired(members));
  ASSERT_TRUE(p) << p.error().str();
  EXPECT_FALSE(p->changes);
  ASSERT_EQ(p->members.size(), 2u);
  const ChainMember &kept = p->members[1].record;
  const ChainMember &running = current.config.slots[1];
  EXPECT_EQ(kept.label, running.label);
  EXPECT_EQ(kept.object_path, running.object_path);
  EXPECT_EQ(kept.priority, running.priority);
  EXPECT_EQ(kept.proceed_on, running.proceed_on);
  EXPECT_EQ(kept.map_pins, running.map_pins);
  EXPECT_EQ(kept.pin_root, running.pin_root);
  EXPECT_EQ(p->members[1].reuse_slot, 1);
}

TEST_F(PlannerTest, AddedMemberGetsAFreeCounterBlockWithTodaysValueAsBaseline) {
  run_a_and_b();
  auto p = plan(
      desired({member("a", "/o/a.o", 10), member("b", "/o/b.o", 20), member("c", "/o/c.o", 15)}));
  ASSERT_TRUE(p) << p.error().str();
  EXPECT_TRUE(p->changes);
  ASSERT_EQ(run_order(*p), (std::vector<std::string>{"a", "c", "b"}));
  const PlannedMember &c = p->members[1];
  EXPECT_EQ(c.reuse_slot, -1) << "a new member is loaded";
  EXPECT_EQ(c.spec_index, 2u);
  EXPECT_EQ(c.record.counter_index, 2u) << "blocks 0 and 1 are a's and b's";
  EXPECT_EQ(c.record.baseline.entered, 502u) << "the block's value now";
  EXPECT_EQ(c.record.sequence, 3u);
  // Kept members keep their blocks and baselines: their counts go on.
  EXPECT_EQ(p->members[0].record.counter_index, 0u);
  EXPECT_EQ(p->members[0].record.baseline.entered, 1000u);
  EXPECT_EQ(p->members[2].record.baseline.entered, 1001u);
  ASSERT_NE(delta(*p, "c"), nullptr);
  EXPECT_EQ(delta(*p, "c")->change, MemberChange::added);
  EXPECT_EQ(delta(*p, "b")->change, MemberChange::reordered);
  EXPECT_EQ(delta(*p, "b")->detail, "position 1 -> 2");
}

TEST_F(PlannerTest, ChangedObjectIsReloadedAndRemovedMemberReported) {
  run_a_and_b();
  view.objects["/o/a.o"].hash = 99;
  auto p = plan(desired({member("a", "/o/a.o", 10)}));
  ASSERT_TRUE(p) << p.error().str();
  ASSERT_EQ(p->members.size(), 1u);
  EXPECT_EQ(p->members[0].reuse_slot, -1);
  EXPECT_EQ(p->members[0].record.counter_index, 2u)
      << "a reloaded member counts from a fresh block";
  EXPECT_EQ(delta(*p, "a")->change, MemberChange::changed);
  EXPECT_EQ(delta(*p, "a")->detail, "object changed");
  EXPECT_EQ(delta(*p, "b")->change, MemberChange::removed);
}

TEST_F(PlannerTest, PriorityChangeKeepsTheProgram) {
  run_a_and_b();
  auto p = plan(desired({member("a", "/o/a.o", 30), member("b", "/o/b.o", 20)}));
  ASSERT_TRUE(p) << p.error().str();
  ASSERT_EQ(run_order(*p), (std::vector<std::string>{"b", "a"}));
  EXPECT_EQ(p->members[1].reuse_slot, 0);
  EXPECT_EQ(delta(*p, "a")->detail, "priority 10 -> 30");
}

TEST_F(PlannerTest, KeptMemberWhoseFileIsGoneUsesWhatWasLoaded) {
  run_a_and_b();
  view.objects.erase("/o/a.o");
  MemberSpec a = member("a", "/o/a.o", 10);
  a.program = "a_prog"; // the same program of the same file: nothing needs the file
  auto p = plan(desired({a, member("b", "/o/b.o", 25)}));
  ASSERT_TRUE(p) << p.error().str();
  EXPECT_EQ(p->members[0].reuse_slot, 0);
  // A new member whose file is gone is refused, naming it.
  auto refused = plan(desired({member("x", "/o/x.o", 10)}));
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().str().find("program 'x'"), std::string::npos) << refused.error().str();
}

TEST_F(PlannerTest, NewChainOnAnInterfaceWithAnotherToolsProgramIsRefused) {
  view.attached = {42, Mode::native, "fw", false};
  auto p = plan(desired({member("a", "/o/a.o", 10)}));
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().kind(), ErrorKind::conflict);
  EXPECT_NE(p.error().str().find("'fw' (id 42"), std::string::npos) << p.error().str();
  EXPECT_TRUE(view.opened.empty()) << "refused before any object is opened";

  options.replace_foreign = true;
  auto forced = plan(desired({member("a", "/o/a.o", 10)}));
  ASSERT_TRUE(forced) << forced.error().str();
  EXPECT_EQ(forced->foreign.prog_id, 42u) << "the apply replaces it";
  EXPECT_EQ(forced->backend, Backend::tailcall) << "auto on a new chain: the probe's choice";
}

TEST_F(PlannerTest, ModeChangeIsRefused) {
  run_a_and_b();
  ChainSpec spec = desired({member("a", "/o/a.o", 10)});
  spec.mode = Mode::generic;
  auto p = plan(spec);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().kind(), ErrorKind::invalid_argument);
  EXPECT_NE(p.error().str().find("runs in native mode"), std::string::npos) << p.error().str();
}

TEST_F(PlannerTest, MemberLimitsPerBackend) {
  std::vector<MemberSpec> members;
  for (int i = 0; i <= kMaxMembersTailcall; ++i)
    members.push_back(member("m" + std::to_string(i), "/o/a.o", i));
  ChainSpec spec = desired(members);
  spec.backend = Backend::tailcall;
  auto p = plan(spec);
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().str().find("33 programs exceeds the tailcall backend's limit of 32"),
            std::string::npos)
      << p.error().str();
  spec.backend = Backend::fused;
  for (int i = static_cast<int>(members.size()); i <= kMaxMembersFused; ++i)
    spec.members.push_back(member("m" + std::to_string(i), "/o/a.o", 1));
  auto fused = plan(spec);
  ASSERT_FALSE(fused);
  EXPECT_NE(fused.error().str().find("fused backend's limit of 128"), std::string::npos)
      << fused.error().str();
}

// A member with an empty continue set may end a chain anywhere on tail calls and fused;
// on freplace only as the last member (every stub must be called from the dispatcher).
TEST_F(PlannerTest, EmptyContinueSetBeforeOtherMembersIsRefusedOnFreplaceOnly) {
  MemberSpec ends = member("ends", "/o/a.o", 10);
  ends.proceed_on = 0;
  ChainSpec spec = desired({ends, member("after", "/o/b.o", 20)});
  spec.backend = Backend::freplace;
  auto p = plan(spec);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().kind(), ErrorKind::not_supported);
  EXPECT_NE(p.error().str().find("program 'ends' ends the chain for every packet"),
            std::string::npos)
      << p.error().str();
  EXPECT_NE(p.error().str().find("1 program follows it"), std::string::npos) << p.error().str();
  for (Backend other : {Backend::tailcall, Backend::fused}) {
    spec.backend = other;
    auto ok = plan(spec);
    ASSERT_TRUE(ok) << to_string(other) << ": " << ok.error().str();
    EXPECT_EQ(ok->members[0].record.proceed_on, 0u);
  }
  spec.backend = Backend::freplace;
  spec.members[0].priority = 30; // now the last member
  auto last = plan(spec);
  ASSERT_TRUE(last) << last.error().str();
  EXPECT_EQ(run_order(*last), (std::vector<std::string>{"after", "ends"}));
}

TEST_F(PlannerTest, BadLabelsPrioritiesAndCountersAreRefused) {
  auto bad_label = plan(desired({member("-x", "/o/a.o", 10)}));
  ASSERT_FALSE(bad_label);
  EXPECT_NE(bad_label.error().str().find("invalid label '-x'"), std::string::npos);

  auto twice = plan(desired({member("a", "/o/a.o", 10), member("a", "/o/b.o", 20)}));
  ASSERT_FALSE(twice);
  EXPECT_NE(twice.error().str().find("two programs are labelled 'a'"), std::string::npos);

  auto priority = plan(desired({member("a", "/o/a.o", kMaxPriority + 1)}));
  ASSERT_FALSE(priority);
  EXPECT_NE(priority.error().str().find("priority 1001 is outside 0..1000"), std::string::npos);

  ChainSpec no_counters = desired({member("a", "/o/a.o", 10)});
  no_counters.counters = false;
  auto counters = plan(no_counters);
  ASSERT_FALSE(counters);
  EXPECT_NE(counters.error().str().find("only the fused backend can turn counters off"),
            std::string::npos);
  no_counters.backend = Backend::fused;
  auto fused = plan(no_counters);
  ASSERT_TRUE(fused) << fused.error().str();
  EXPECT_FALSE(fused->counting);
}

TEST_F(PlannerTest, AMemberWithAnObjectFileAndObjectBytesIsRefusedUnopened) {
  MemberSpec both = member("a", "/o/a.o", 10);
  both.object_bytes = {std::byte{0x7f}, std::byte{'E'}, std::byte{'L'}, std::byte{'F'}};
  auto refused = plan(desired({both}));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind(), ErrorKind::invalid_argument);
  EXPECT_NE(refused.error().str().find("program 'a': give an object file or object bytes"),
            std::string::npos)
      << refused.error().str();
  EXPECT_TRUE(view.opened.empty());
}

TEST_F(PlannerTest, ANewMemberWithoutAnObjectIsRefusedUnopened) {
  MemberSpec none = member("new", "", 10);
  auto refused = plan(desired({none}));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind(), ErrorKind::invalid_argument);
  EXPECT_NE(refused.error().str().find("program 'new': no object: give an object file or object "
                                       "bytes"),
            std::string::npos)
      << refused.error().str();
  EXPECT_TRUE(view.opened.empty());
}

TEST_F(PlannerTest, NoFreeCounterBlockIsRefused) {
  // 128 members hold every block; replacing one needs a new block before the old is free.
  current.present = true;
  current.config.backend = Backend::fused;
  std::vector<MemberSpec> members;
  for (uint32_t i = 0; i < kCounterBlocks; ++i) {
    std::string label = "m" + std::to_string(i);
    int priority = static_cast<int>(i);
    current.config.slots.push_back(slot(label, "/o/a.o", 11, priority, i, 200 + i, i + 1));
    current.config.slots.back().program = "a_prog";
    members.push_back(member(label, "/o/a.o", priority));
  }
  auto same = plan(desired(members));
  ASSERT_TRUE(same) << same.error().str();
  EXPECT_FALSE(same->changes);
  members.back() = member("new", "/o/b.o", 127);
  auto p = plan(desired(members));
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().str().find("no free counter block (128 in use)"), std::string::npos)
      << p.error().str();
}

TEST_F(PlannerTest, EmptyChainDetachesOnlyWhatIsThere) {
  run_a_and_b();
  auto p = plan(desired({}));
  ASSERT_TRUE(p) << p.error().str();
  EXPECT_TRUE(p->detach);
  EXPECT_TRUE(p->changes);
  EXPECT_EQ(p->deltas.size(), 2u);
  current = CurrentChain{};
  auto nothing = plan(desired({}));
  ASSERT_TRUE(nothing);
  EXPECT_FALSE(nothing->changes);
}

// A new member's baseline is its block's value decoded as the new chain's code writes it
// (dispatcher_spec.h): a fused chain counts one word per member, the others two.
TEST_F(PlannerTest, BaselinesAreReadInTheLayoutOfTheChainsBackend) {
  for (Backend backend : {Backend::tailcall, Backend::fused}) {
    view.layouts.clear();
    ChainSpec spec = desired({member("a", "/o/a.o", 10)});
    spec.backend = backend;
    auto p = plan(spec);
    ASSERT_TRUE(p) << p.error().str();
    ASSERT_EQ(view.layouts.size(), 1u);
    EXPECT_EQ(view.layouts[0], counter_layout(backend)) << to_string(backend);
  }
  EXPECT_NE(counter_layout(Backend::fused), counter_layout(Backend::tailcall));
}

// A dry run is plan_chain() alone: on an interface without xdpchain state it plans the
// members and their counter slots and makes the same refusals as the real apply (issue
// 11's two-interface bug: the member limit of the backend auto resolves to).
TEST_F(PlannerTest, DryRunOnANewInterfacePlansLikeTheRealApply) {
  auto first = plan(desired({member("a", "/o/a.o", 10), member("b", "/o/b.o", 20)}));
  ASSERT_TRUE(first) << first.error().str();
  EXPECT_TRUE(first->changes);
  EXPECT_EQ(first->deltas.size(), 2u);
  EXPECT_EQ(first->members[0].record.counter_index, 0u);
  EXPECT_EQ(first->members[0].record.baseline.entered, 500u);
  EXPECT_EQ(first->members[1].record.counter_index, 1u);

  ChainSpec too_many = desired({});
  for (int i = 0; i <= kMaxMembersTailcall; ++i)
    too_many.members.push_back(member("m" + std::to_string(i), "/o/a.o", 1));
  view.preferred = Backend::tailcall; // what the probe says where freplace is refused
  EXPECT_FALSE(plan(too_many)) << "auto resolves to tailcall here: its limit applies";
}

} // namespace
} // namespace xdpchain::dispatcher
