// The fused backend's pure instruction rewriting (dispatcher/inline_member.h,
// fused_generator.h), checked without a kernel: stack shift, exits, jumps and calls across
// the inserted instructions, ld_imm64, refusals, and the verifier-log mapping.
#include "common/insn_builder.h"
#include "dispatcher/fused_generator.h"
#include "dispatcher/inline_member.h"

#include <gtest/gtest.h>

namespace xdpchain::dispatcher {
namespace {

using namespace bpf;

std::vector<bpf_insn> assembled(const InsnBuilder &b) {
  auto insns = b.assemble();
  EXPECT_TRUE(insns.has_value()) << insns.error().str();
  return insns ? *insns : std::vector<bpf_insn>{};
}

// main: *(r10-8) = 1; r2 = r10; r2 += -24; if r1 == 0 goto out; call sub; out: exit
// sub:  r0 = *(u64 *)(r10 - 8) ... exit   (own frame: not shifted)
std::vector<bpf_insn> member_with_subprog() {
  InsnBuilder b;
  Label sub = b.new_label(), out = b.new_label();
  b.st_imm(BPF_DW, R10, -8, 1);   // 0
  b.mov64_reg(R2, R10);           // 1
  b.alu64_imm(BPF_ADD, R2, -24);  // 2
  b.jmp_imm(BPF_JEQ, R1, 0, out); // 3
  b.ld_imm64(R3, 0x100000002ull); // 4,5
  b.call_local(sub);              // 6
  b.bind(out);
  b.exit_insn(); // 7
  b.bind(sub);
  b.ldx(BPF_DW, R0, R10, -8); // 8
  b.exit_insn();              // 9
  return assembled(b);
}

TEST(InlineMember, FindsMainFunctionAndStackDepth) {
  auto shape = analyse_member(member_with_subprog());
  ASSERT_TRUE(shape.has_value()) << shape.error().str();
  EXPECT_EQ(shape->main_end, 8u);
  EXPECT_EQ(shape->main_stack, 24u); // through the derived pointer r2 = r10 - 24
}

TEST(InlineMember, StackDepthOfDeepDirectAccess) {
  InsnBuilder b;
  b.st_imm(BPF_W, R10, -400, 0);
  b.mov64_imm(R0, 2);
  b.exit_insn();
  auto shape = analyse_member(assembled(b));
  ASSERT_TRUE(shape.has_value());
  EXPECT_EQ(shape->main_stack, 400u);
}

TEST(InlineMember, ShiftsStackRewritesExitsAndFixesCallsAfterInsertion) {
  const auto member = member_with_subprog();
  auto shape = analyse_member(member);
  ASSERT_TRUE(shape.has_value());
  InsnBuilder b;
  b.mov64_imm(R0, 0); // something before the member: offsets must still come out right
  Label verdict = b.new_label();
  auto pending = emit_inlined_main(b, member, *shape, 16, verdict);
  ASSERT_TRUE(pending.has_value()) << pending.error().str();
  b.bind(verdict);
  b.exit_insn(); // verdict handling stand-in
  emit_subprogs(b, *pending);
  auto out = assembled(b);
  // 1 before + 8 main + 1 inserted (r2 += -16) + 1 verdict + 2 subprog = 13
  ASSERT_EQ(out.size(), 13u);
  EXPECT_EQ(out[1].off, -8 - 16) << "direct store moved below our slots";
  EXPECT_EQ(out[2].code, BPF_ALU64 | BPF_MOV | BPF_X);
  EXPECT_EQ(out[3].code, BPF_ALU64 | BPF_ADD | BPF_K);
  EXPECT_EQ(out[3].dst_reg, BPF_REG_2);
  EXPECT_EQ(out[3].imm, -16) << "inserted right after rX = r10: derived pointer shifted too";
  EXPECT_EQ(out[4].code, BPF_ALU64 | BPF_ADD | BPF_K);
  EXPECT_EQ(out[4].imm, -24) << "member's own add untouched";
  // jump at 5 (orig 3 -> 7, the exit) now lands on the rewritten exit at 9
  EXPECT_EQ(5 + out[5].off + 1, 9);
  EXPECT_EQ(out[6].code, BPF_LD | BPF_DW | BPF_IMM);
  EXPECT_EQ(out[6].imm, 2);
  EXPECT_EQ(out[7].imm, 1) << "second half of ld_imm64 copied as is";
  EXPECT_EQ(out[8].src_reg, BPF_PSEUDO_CALL);
  EXPECT_EQ(8 + out[8].imm + 1, 11) << "call lands on the appended subprogram";
  EXPECT_EQ(out[9].code, BPF_JMP | BPF_JA) << "exit became a jump to the verdict";
  EXPECT_EQ(9 + out[9].off + 1, 10);
  EXPECT_EQ(out[11].off, -8) << "subprogram's frame is its own: not shifted";
}

TEST(InlineMember, RefusesOtherUsesOfTheFramePointer) {
  InsnBuilder b;
  b.mov64_imm(R2, 8);
  b.alu64_reg(BPF_ADD, R2, R10); // r2 += r10: a stack pointer the shift cannot follow
  b.mov64_imm(R0, 2);
  b.exit_insn();
  auto shape = analyse_member(assembled(b));
  ASSERT_FALSE(shape.has_value());
  EXPECT_EQ(shape.error().kind(), ErrorKind::not_supported);
  EXPECT_NE(shape.error().str().find("instruction 1"), std::string::npos) << shape.error().str();
}

TEST(InlineMember, RefusesACallbackNamingFreplace) {
  // main: r2 = &callback (ld_imm64 src BPF_PSEUDO_FUNC); r0 = 2; exit
  // callback: r0 = 0; exit
  std::vector<bpf_insn> member = {
      {BPF_LD | BPF_DW | BPF_IMM, BPF_REG_2, BPF_PSEUDO_FUNC, 0, 3},
      {0, 0, 0, 0, 0},
      {BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 2},
      {BPF_JMP | BPF_EXIT, 0, 0, 0, 0},
      {BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0},
      {BPF_JMP | BPF_EXIT, 0, 0, 0, 0},
  };
  auto shape = analyse_member(member);
  ASSERT_FALSE(shape.has_value());
  EXPECT_EQ(shape.error().kind(), ErrorKind::not_supported);
  const std::string text = shape.error().str();
  EXPECT_NE(text.find("instruction 0 takes the address of a subprogram"), std::string::npos)
      << text;
  ASSERT_EQ(shape.error().hints().size(), 1u);
  EXPECT_NE(shape.error().hints()[0].find("--backend freplace"), std::string::npos)
      << shape.error().hints()[0];
}

TEST(FusedGenerator, RefusesAChainWhoseStackDoesNotFit) {
  InsnBuilder b;
  b.st_imm(BPF_DW, R10, -504, 0);
  b.mov64_imm(R0, 2);
  b.exit_insn();
  FusedSpec spec;
  spec.members = {{{}, "deep", assembled(b)}};
  auto fused = generate_fused(spec);
  ASSERT_FALSE(fused.has_value());
  const std::string text = fused.error().str();
  EXPECT_NE(text.find("'deep'"), std::string::npos) << text;
  EXPECT_NE(text.find("504"), std::string::npos) << text;
  EXPECT_NE(text.find("520"), std::string::npos) << text;
}

TEST(FusedGenerator, MapsAVerifierStopToItsMember) {
  InsnBuilder b;
  b.mov64_imm(R0, 2);
  b.exit_insn();
  FusedSpec spec;
  spec.members = {{{}, "a", assembled(b)}, {{}, "b", assembled(b)}};
  auto fused = generate_fused(spec);
  ASSERT_TRUE(fused.has_value()) << fused.error().str();
  ASSERT_EQ(fused->ranges.size(), 2u);
  const size_t in_b = fused->ranges[1].begin;
  const std::string log =
      "0: (7b) *(u64 *)(r10 -8) = r1\n" + std::to_string(in_b) + ": (b7) r0 = 2\nsome message\n";
  EXPECT_EQ(member_at_verifier_stop(log, fused->ranges), 1);
  EXPECT_EQ(member_at_verifier_stop("0: (7b) *(u64 *)(r10 -8) = r1\n", fused->ranges), -1);
}

} // namespace
} // namespace xdpchain::dispatcher
