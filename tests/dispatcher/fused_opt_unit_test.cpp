// The fused optimiser's passes (dispatcher/fused_opt/), checked on instruction sequences
// without a kernel: instruction removal keeps every branch pointing at the same code,
// reachability, which helpers change the packet, and the packet-prefix pass (which loads
// and checks it rewrites, and which it must leave alone).
#include "common/insn_builder.h"
#include "dispatcher/fused_generator.h"
#include "dispatcher/fused_opt/insn_edit.h"
#include "dispatcher/fused_opt/known_verdict.h"
#include "dispatcher/fused_opt/packet_helpers.h"
#include "dispatcher/fused_opt/packet_prefix.h"

#include <gtest/gtest.h>

#include <cstddef>

namespace xdpchain::dispatcher::fused_opt {
namespace {

using namespace bpf;

std::vector<bpf_insn> assembled(const InsnBuilder &b) {
  auto insns = b.assemble();
  EXPECT_TRUE(insns.has_value()) << insns.error().str();
  return insns ? *insns : std::vector<bpf_insn>{};
}

bool same(const bpf_insn &a, const bpf_insn &b) {
  return a.code == b.code && a.dst_reg == b.dst_reg && a.src_reg == b.src_reg && a.off == b.off &&
         a.imm == b.imm;
}

constexpr int16_t kData = offsetof(struct xdp_md, data);
constexpr int16_t kDataEnd = offsetof(struct xdp_md, data_end);

TEST(FusedOptEdit, RemovalKeepsJumpsCallsAndWideLoadsOnTheirTargets) {
  InsnBuilder b;
  Label back = b.new_label(), out = b.new_label(), sub = b.new_label();
  b.bind(back);
  b.mov64_imm(R0, 1);              // 0
  b.mov64_imm(R5, 9);              // 1: removed
  b.jmp_imm(BPF_JEQ, R1, 0, out);  // 2
  b.ld_imm64(R3, 0x100000002ull);  // 3,4
  b.mov64_imm(R5, 9);              // 5: removed
  b.call_local(sub);               // 6
  b.jmp_imm(BPF_JNE, R0, 7, back); // 7
  b.bind(out);
  b.exit_insn(); // 8
  b.bind(sub);
  b.mov64_imm(R0, 7); // 9
  b.exit_insn();      // 10
  const auto insns = assembled(b);
  std::vector<bool> keep(insns.size(), true);
  keep[1] = keep[5] = false;
  std::vector<size_t> map;
  const auto out_insns = remove_insns(insns, keep, &map);
  ASSERT_EQ(out_insns.size(), 9u);
  EXPECT_EQ(*jump_target(out_insns, 1), 6u); // jeq -> exit
  EXPECT_EQ(out_insns[2].imm, 2);            // ld_imm64 kept whole
  EXPECT_EQ(out_insns[3].imm, 1);
  EXPECT_EQ(out_insns[4].imm, 2); // call -> sub at 7: 7 - 4 - 1
  EXPECT_EQ(*jump_target(out_insns, 5), 0u);
  EXPECT_EQ(map[1], 1u); // a removed instruction maps to the next one kept
  EXPECT_EQ(map[9], 7u);
}

TEST(FusedOptEdit, ReachableFollowsBranchesAndCallsButNotPastJa) {
  InsnBuilder b;
  Label end = b.new_label(), sub = b.new_label();
  b.call_local(sub);  // 0
  b.ja(end);          // 1
  b.mov64_imm(R0, 3); // 2: unreachable
  b.bind(end);
  b.exit_insn(); // 3
  b.bind(sub);
  b.mov64_imm(R0, 1); // 4
  b.exit_insn();      // 5
  const auto live = reachable(assembled(b));
  EXPECT_EQ(live, (std::vector<bool>{true, true, false, true, true, true}));
}

TEST(FusedOptHelpers, PacketChangingHelpersAndKfuncs) {
  EXPECT_TRUE(helper_changes_packet(BPF_FUNC_xdp_adjust_head));
  EXPECT_TRUE(helper_changes_packet(BPF_FUNC_xdp_adjust_tail));
  EXPECT_TRUE(helper_changes_packet(BPF_FUNC_xdp_adjust_meta));
  EXPECT_FALSE(helper_changes_packet(BPF_FUNC_map_lookup_elem));
  InsnBuilder b;
  b.call_helper(BPF_FUNC_map_lookup_elem);
  b.exit_insn();
  EXPECT_FALSE(may_change_packet(assembled(b)));
  InsnBuilder c;
  c.call_helper(BPF_FUNC_xdp_adjust_head);
  c.exit_insn();
  EXPECT_TRUE(may_change_packet(assembled(c)));
  auto kfunc = assembled(b);
  kfunc[0].src_reg = BPF_PSEUDO_KFUNC_CALL;
  EXPECT_TRUE(may_change_packet(kfunc));
}

// clang's usual shape (see real_frag_filter.c): two checks at constant offsets 14 and 34
// before reading bytes 12..13 and 20..21; the shared fail block is the exit.
std::vector<bpf_insn> two_checks(uint8_t op34 = BPF_JGT) {
  InsnBuilder b;
  Label fail = b.new_label();
  b.mov64_imm(R0, XDP_PASS);        // 0
  b.ldx(BPF_W, R2, R1, kDataEnd);   // 1
  b.ldx(BPF_W, R1, R1, kData);      // 2: data
  b.mov64_reg(R3, R1);              // 3
  b.alu64_imm(BPF_ADD, R3, 14);     // 4
  b.jmp_reg(BPF_JGT, R3, R2, fail); // 5: data + 14 > end
  b.ldx(BPF_H, R4, R1, 12);         // 6
  b.mov64_reg(R3, R1);              // 7
  b.alu64_imm(BPF_ADD, R3, 34);     // 8
  b.jmp_reg(op34, R3, R2, fail);    // 9
  b.ldx(BPF_H, R4, R1, 20);         // 10
  b.mov64_imm(R0, XDP_DROP);        // 11
  b.bind(fail);
  b.exit_insn(); // 12
  return assembled(b);
}

TEST(FusedOptPrefix, WantsTheLargestConstantCheck) {
  EXPECT_EQ(wanted_prefix(two_checks(), 13), 34u);
  EXPECT_EQ(wanted_prefix(two_checks(BPF_JGE), 13), 35u); // data + 34 >= end needs 35 bytes
}

TEST(FusedOptPrefix, ReadsTheCheckedStartAndDropsChecksTheFastPathProves) {
  const auto member = two_checks();
  auto rewrite = assume_packet_prefix(member, 13, 34, 0);
  EXPECT_EQ(rewrite.data_loads, 1u);
  EXPECT_EQ(rewrite.checks_removed, 2u);
  ASSERT_EQ(rewrite.insns.size(), 11u);
  const bpf_insn slot_load = {BPF_LDX | BPF_DW | BPF_MEM, BPF_REG_1, BPF_REG_10, 0, 0};
  EXPECT_TRUE(same(rewrite.insns[2], slot_load));
  for (size_t i = 0; i < rewrite.insns.size(); ++i)
    EXPECT_FALSE(jump_target(rewrite.insns, i)) << i; // both checks gone
  EXPECT_TRUE(same(rewrite.insns[1], member[1]));     // data_end still read from ctx
}

TEST(FusedOptPrefix, KeepsChecksBeyondThePrefix) {
  auto rewrite = assume_packet_prefix(two_checks(), 13, 20, 0);
  EXPECT_EQ(rewrite.checks_removed, 1u);
  EXPECT_EQ(rewrite.insns.size(), 12u);
  auto strict = assume_packet_prefix(two_checks(BPF_JGE), 13, 34, 0);
  EXPECT_EQ(strict.checks_removed, 1u); // data + 34 >= end can be taken with 34 bytes
}

TEST(FusedOptPrefix, RemovesAFailBlockNothingElseReaches) {
  InsnBuilder b;
  Label fail = b.new_label();
  b.ldx(BPF_W, R2, R1, kData);
  b.ldx(BPF_W, R3, R1, kDataEnd);
  b.mov64_reg(R4, R2);
  b.alu64_imm(BPF_ADD, R4, 14);
  b.jmp_reg(BPF_JLT, R3, R4, fail); // end < data + 14
  b.mov64_imm(R0, XDP_PASS);
  b.exit_insn();
  b.bind(fail);
  b.mov64_imm(R0, XDP_DROP); // reached only by the check
  b.exit_insn();
  auto rewrite = assume_packet_prefix(assembled(b), 9, 14, 0);
  EXPECT_EQ(rewrite.checks_removed, 1u);
  ASSERT_EQ(rewrite.insns.size(), 6u);
  EXPECT_EQ(rewrite.insns[4].imm, XDP_PASS);
}

TEST(FusedOptPrefix, LeavesValuesItCannotTraceAlone) {
  // A check at a jump target, a data pointer read back from the stack, and ctx lost to a
  // helper call: nothing is known there, so nothing changes.
  InsnBuilder b;
  Label join = b.new_label(), fail = b.new_label();
  b.ldx(BPF_W, R2, R1, kData);     // 0: rewritten (r1 is ctx at entry)
  b.ldx(BPF_W, R3, R1, kDataEnd);  // 1
  b.jmp_imm(BPF_JEQ, R2, 0, join); // 2
  b.bind(join);
  b.mov64_reg(R4, R2);                  // 3: a jump target: r2 unknown here
  b.alu64_imm(BPF_ADD, R4, 14);         // 4
  b.jmp_reg(BPF_JGT, R4, R3, fail);     // 5: kept
  b.stx(BPF_DW, R10, -8, R2);           // 6
  b.ldx(BPF_DW, R5, R10, -8);           // 7
  b.alu64_imm(BPF_ADD, R5, 10);         // 8
  b.jmp_reg(BPF_JGT, R5, R3, fail);     // 9: kept (from the stack)
  b.call_helper(BPF_FUNC_ktime_get_ns); // 10
  b.ldx(BPF_W, R2, R1, kData);          // 11: kept (r1 clobbered)
  b.bind(fail);
  b.mov64_imm(R0, XDP_PASS);
  b.exit_insn();
  const auto member = assembled(b);
  auto rewrite = assume_packet_prefix(member, member.size(), 60, 0);
  EXPECT_EQ(rewrite.data_loads, 1u);
  EXPECT_EQ(rewrite.checks_removed, 0u);
  ASSERT_EQ(rewrite.insns.size(), member.size());
  EXPECT_EQ(rewrite.insns[0].src_reg, BPF_REG_10);
  EXPECT_TRUE(same(rewrite.insns[11], member[11]));
}

// A member's shape in the fused program: r0 set, a conditional jump to its exit (now
// `ja verdict`), and the verdict handling testing w0 against the continue set.
TEST(FusedOptKnownVerdict, JumpWithAKnownVerdictSkipsTheExitAndTheContinueCheck) {
  InsnBuilder b;
  Label exit = b.new_label(), verdict = b.new_label(), go_on = b.new_label();
  b.mov64_imm(R0, XDP_PASS);       // 0
  b.jmp_imm(BPF_JEQ, R1, 0, exit); // 1: r0 == 2 here: straight to go_on
  b.mov64_imm(R0, XDP_DROP);       // 2
  b.jmp_imm(BPF_JEQ, R2, 0, exit); // 3: r0 == 1: past the check, to the count
  b.ldx(BPF_DW, R0, R1, 0);        // 4: r0 unknown
  b.jmp_imm(BPF_JEQ, R2, 1, exit); // 5: left alone
  b.bind(exit);
  b.ja(verdict); // 6
  b.bind(verdict);
  b.jmp32_imm(BPF_JEQ, R0, XDP_PASS, go_on); // 7
  b.mov64_imm(R3, 1);                        // 8: "count the final verdict"
  b.exit_insn();                             // 9
  b.bind(go_on);
  b.mov64_imm(R0, XDP_PASS); // 10
  b.exit_insn();             // 11
  const auto insns = assembled(b);
  auto threaded = thread_known_verdicts(insns);
  EXPECT_EQ(threaded.retargeted, 2u);
  ASSERT_EQ(threaded.insns.size(), insns.size()); // everything is still reached
  EXPECT_EQ(*jump_target(threaded.insns, 1), 10u);
  EXPECT_EQ(*jump_target(threaded.insns, 3), 8u);
  EXPECT_EQ(*jump_target(threaded.insns, 5), 6u);
}

TEST(FusedOptKnownVerdict, ForgetsR0AtJumpTargetsAndCalls) {
  InsnBuilder b;
  Label exit = b.new_label(), join = b.new_label(), go_on = b.new_label();
  b.mov64_imm(R0, XDP_PASS);       // 0
  b.jmp_imm(BPF_JEQ, R1, 0, join); // 1: join tests r1: stays
  b.bind(join);
  b.jmp_imm(BPF_JEQ, R1, 1, exit);      // 2: a jump target: r0 unknown, kept
  b.call_helper(BPF_FUNC_ktime_get_ns); // 3
  b.jmp_imm(BPF_JEQ, R1, 2, exit);      // 4: after a call: kept
  b.mov32_imm(R0, XDP_PASS);            // 5
  b.ja(exit);                           // 6: to go_on
  b.bind(exit);
  b.jmp32_imm(BPF_JEQ, R0, XDP_PASS, go_on); // 7
  b.exit_insn();                             // 8
  b.bind(go_on);
  b.exit_insn(); // 9
  auto threaded = thread_known_verdicts(assembled(b));
  EXPECT_EQ(threaded.retargeted, 1u);
  EXPECT_EQ(*jump_target(threaded.insns, 1), 2u);
  EXPECT_EQ(*jump_target(threaded.insns, 2), 7u);
  EXPECT_EQ(*jump_target(threaded.insns, 4), 7u);
  EXPECT_EQ(*jump_target(threaded.insns, 6), 9u);
}

TEST(FusedOptKnownVerdict, RemovesTheVerdictHandlingNoJumpReachesAnyMore) {
  InsnBuilder b;
  Label exit = b.new_label(), verdict = b.new_label(), go_on = b.new_label();
  b.mov64_imm(R0, XDP_PASS); // 0
  b.ja(exit);                // 1: to go_on
  b.bind(exit);
  b.ja(verdict); // 2: no longer reached
  b.bind(verdict);
  b.jmp32_imm(BPF_JEQ, R0, XDP_PASS, go_on); // 3: no longer reached
  b.exit_insn();                             // 4: no longer reached
  b.bind(go_on);
  b.exit_insn(); // 5
  auto threaded = thread_known_verdicts(assembled(b));
  ASSERT_EQ(threaded.insns.size(), 3u);
  EXPECT_EQ(*jump_target(threaded.insns, 1), 2u);
  EXPECT_EQ(threaded.old_to_new[5], 2u);
}

// generate_fused with the optimiser: a fast path only when a member has a constant check,
// and only members before the first packet-changing one are rewritten.
FusedSpec spec_of(std::vector<std::vector<bpf_insn>> members) {
  FusedSpec spec;
  for (size_t i = 0; i < members.size(); ++i)
    spec.members.push_back({{kDefaultProceedOn, static_cast<uint32_t>(i)}, "m", members[i]});
  return spec;
}

std::vector<bpf_insn> adjust_head_member() {
  InsnBuilder b;
  b.mov64_imm(R2, 0);
  b.call_helper(BPF_FUNC_xdp_adjust_head);
  b.mov64_imm(R0, XDP_PASS);
  b.exit_insn();
  return assembled(b);
}

TEST(FusedOptGenerate, FastPathStopsAtThePacketChangingMember) {
  auto spec = spec_of({two_checks(), adjust_head_member(), two_checks()});
  auto fused = generate_fused(spec);
  ASSERT_TRUE(fused.has_value()) << fused.error().str();
  EXPECT_EQ(fused->fast_path_bytes, 34u);
  EXPECT_EQ(fused->checks_removed, 2u); // the first member's; the third runs after adjust_head
  EXPECT_EQ(fused->stack_bytes, static_cast<uint32_t>(kFusedFastSlotBytes));
  spec.optimise = false;
  auto plain = generate_fused(spec);
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(plain->fast_path_bytes, 0u);
  EXPECT_LT(plain->image.insns.size(), fused->image.insns.size());
}

TEST(FusedOptGenerate, NoFastPathWithoutChecksOrStackRoom) {
  auto fused = generate_fused(spec_of({adjust_head_member(), two_checks()}));
  ASSERT_TRUE(fused.has_value());
  EXPECT_EQ(fused->fast_path_bytes, 0u);
  InsnBuilder deep;
  deep.st_imm(BPF_DW, R10, -496, 0);
  for (const bpf_insn &insn : two_checks())
    deep.raw(insn);
  auto full = generate_fused(spec_of({assembled(deep)}));
  ASSERT_TRUE(full.has_value()) << full.error().str();
  EXPECT_EQ(full->fast_path_bytes, 0u); // 496 + 24 would be over 512
  EXPECT_EQ(full->stack_bytes, 512u);
}

} // namespace
} // namespace xdpchain::dispatcher::fused_opt
