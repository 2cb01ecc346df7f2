// IR invariants (ir::verify), dead-code elimination, address folding, register allocation
// and peephole, on hand-built IR; and both optimisations seen in a compiled listing.
#include "compiler/emit/listing.h"
#include "compiler/emit/peephole.h"
#include "compiler/ir/address_folding.h"
#include "compiler/ir/dead_code.h"
#include "compiler/ir/verify.h"
#include "compiler/regalloc/regalloc.h"

#include <gtest/gtest.h>

#include <linux/bpf.h>

using namespace xdpchain::compiler;
using namespace xdpchain::compiler::ir;

namespace {

Inst mov(Reg dst, Operand src) {
  Inst i;
  i.op = Op::mov;
  i.dst = dst;
  i.src = src;
  return i;
}
Inst alu(uint8_t code, Reg dst, Operand src) {
  Inst i = mov(dst, src);
  i.op = Op::alu;
  i.code = code;
  return i;
}
Inst call(int id, int nargs) {
  Inst i;
  i.op = Op::call;
  i.imm = id;
  i.nargs = nargs;
  return i;
}
Inst jump(uint8_t code, Reg a, Operand b, int label) {
  Inst i = mov(a, b);
  i.op = Op::jump;
  i.code = code;
  i.label = label;
  return i;
}
Inst label(int l) {
  Inst i;
  i.op = Op::label;
  i.label = l;
  return i;
}
Inst exit_insn() {
  Inst i;
  i.op = Op::exit;
  return i;
}
Inst load(uint8_t size, Reg dst, Reg base, int32_t off) {
  Inst i;
  i.op = Op::load;
  i.size = size;
  i.dst = dst;
  i.base = base;
  i.off = off;
  return i;
}

int count_ops(const Function &fn, Op op) {
  int n = 0;
  for (const Inst &i : fn.insts)
    n += i.op == op;
  return n;
}

TEST(IrVerify, AcceptsWellFormedCode) {
  Function fn;
  fn.name = "ok";
  Reg v = fn.new_vreg();
  fn.insts = {mov(v, Operand::i(1)), mov(0, Operand::r(v)), exit_insn()};
  EXPECT_TRUE(verify(fn).has_value());
}

TEST(IrVerify, RejectsUseBeforeDefinition) {
  Function fn;
  fn.name = "bad";
  Reg v = fn.new_vreg(), w = fn.new_vreg();
  fn.next_label = 1;
  fn.insts = {mov(v, Operand::i(1)), jump(BPF_JEQ, v, Operand::i(0), 0),
              mov(w, Operand::i(2)), label(0),
              mov(0, Operand::r(w)), exit_insn()};
  auto s = verify(fn);
  ASSERT_FALSE(s.has_value());
  EXPECT_NE(s.error().message().find("used before it is defined"), std::string::npos);
}

TEST(IrVerify, RejectsUndefinedLabelsFallingOffAndVirtualRegistersAfterAllocation) {
  Function fn;
  fn.name = "bad";
  Reg v = fn.new_vreg();
  fn.insts = {mov(v, Operand::i(1)), jump(BPF_JEQ, v, Operand::i(0), 7), mov(0, Operand::r(v)),
              exit_insn()};
  EXPECT_FALSE(verify(fn).has_value());
  fn.insts = {mov(0, Operand::i(1))};
  EXPECT_FALSE(verify(fn).has_value());
  fn.insts = {mov(v, Operand::i(1)), mov(0, Operand::r(v)), exit_insn()};
  EXPECT_FALSE(verify(fn, VerifyOptions{true}).has_value());
}

// emit writes immediates into the 32-bit imm field and offsets into the 16-bit off field:
// verify refuses values that would be silently truncated or sign-extended differently.
TEST(IrVerify, RejectsImmediatesAndOffsetsTheEncodingCannotHold) {
  Function fn;
  fn.name = "imm";
  auto verdict = [&](Inst inst) {
    fn.insts = {inst, mov(0, Operand::i(0)), exit_insn()};
    auto s = verify(fn);
    return s ? std::string("ok") : s.error().message();
  };
  auto is32 = [](Inst i) {
    i.is32 = true;
    return i;
  };
  auto store = [](uint8_t size, int64_t imm, int32_t off) {
    Inst i;
    i.op = Op::store;
    i.size = size;
    i.base = kFramePointer;
    i.off = off;
    i.src = Operand::i(imm);
    return i;
  };
  EXPECT_EQ(verdict(mov(2, Operand::i(INT32_MAX))), "ok");
  EXPECT_EQ(verdict(mov(2, Operand::i(INT32_MIN))), "ok");
  EXPECT_NE(verdict(mov(2, Operand::i(0x80000000ll))).find("immediate 2147483648"),
            std::string::npos);
  EXPECT_NE(verdict(mov(2, Operand::i(0x100000000ll))), "ok");
  EXPECT_EQ(verdict(is32(mov(2, Operand::i(0xffffffffll)))), "ok");
  EXPECT_NE(verdict(is32(mov(2, Operand::i(0x100000000ll)))), "ok");
  EXPECT_NE(verdict(alu(BPF_ADD, 0, Operand::i(-0x80000001ll))), "ok");
  fn.next_label = 1;
  fn.insts = {mov(0, Operand::i(0)), jump(BPF_JEQ, 0, Operand::i(0xffffffffll), 0), label(0),
              exit_insn()};
  EXPECT_FALSE(verify(fn).has_value());
  EXPECT_EQ(verdict(store(4, 0xffffffffll, -8)), "ok");
  EXPECT_NE(verdict(store(8, 0xffffffffll, -8)), "ok");
  EXPECT_EQ(verdict(store(8, -1, -8)), "ok");
  EXPECT_NE(verdict(store(8, 0, -40000)).find("offset -40000"), std::string::npos);
  EXPECT_NE(verdict(load(8, 2, kFramePointer, 32768)), "ok");
}

TEST(DeadCode, RemovesUnusedValuesAndUnreachableBlocks) {
  Function fn;
  fn.name = "dce";
  Reg a = fn.new_vreg(), b = fn.new_vreg();
  fn.insts = {mov(a, Operand::i(1)), mov(b, Operand::i(2)), mov(0, Operand::r(a)),
              exit_insn(),           mov(0, Operand::i(3)), exit_insn()};
  run_dead_code_elimination(fn);
  ASSERT_EQ(fn.insts.size(), 3u);
  EXPECT_EQ(fn.insts[0].dst, a);
}

TEST(AddressFolding, FoldsAConstantAddIntoTheLoadOffset) {
  Function fn;
  fn.name = "fold";
  Reg ctx = fn.new_vreg(), data = fn.new_vreg(), ip = fn.new_vreg(), proto = fn.new_vreg();
  // ip = data + 14; proto = *(u8 *)(ip + 9)  ->  proto = *(u8 *)(data + 23)
  fn.insts = {mov(ctx, Operand::r(1)),
              load(4, data, ctx, 0),
              mov(ip, Operand::r(data)),
              alu(BPF_ADD, ip, Operand::i(14)),
              load(1, proto, ip, 9),
              mov(0, Operand::r(proto)),
              exit_insn()};
  run_address_folding(fn);
  ASSERT_TRUE(verify(fn).has_value());
  ASSERT_EQ(fn.insts.size(), 5u);
  EXPECT_EQ(count_ops(fn, Op::alu), 0);
  EXPECT_EQ(fn.insts[2].op, Op::load);
  EXPECT_EQ(fn.insts[2].base, data);
  EXPECT_EQ(fn.insts[2].off, 23);
}

TEST(AddressFolding, KeepsTheAddWhenTheSumIsAlsoAValue) {
  Function fn;
  fn.name = "bounds";
  Reg ctx = fn.new_vreg(), data = fn.new_vreg(), end = fn.new_vreg(), p = fn.new_vreg(),
      v = fn.new_vreg();
  fn.next_label = 1;
  // p = data + 34 is compared with data_end (a bounds check): it must stay a register.
  fn.insts = {mov(ctx, Operand::r(1)),
              load(4, data, ctx, 0),
              load(4, end, ctx, 4),
              mov(p, Operand::r(data)),
              alu(BPF_ADD, p, Operand::i(34)),
              jump(BPF_JGT, p, Operand::r(end), 0),
              load(1, v, p, -1),
              mov(0, Operand::r(v)),
              exit_insn(),
              label(0),
              mov(0, Operand::i(2)),
              exit_insn()};
  std::vector<Inst> before = fn.insts;
  run_address_folding(fn);
  ASSERT_EQ(fn.insts.size(), before.size());
  EXPECT_EQ(fn.insts[6].base, p);
  EXPECT_EQ(fn.insts[6].off, -1);
}

TEST(RegisterAllocation, ValuesLiveAcrossCallsGetCalleeSavedRegisters) {
  Function fn;
  fn.name = "calls";
  Reg ctx = fn.new_vreg(), tmp = fn.new_vreg(), res = fn.new_vreg();
  fn.insts = {mov(ctx, Operand::r(1)), mov(tmp, Operand::i(5)),
              mov(1, Operand::r(tmp)), call(5, 1),
              mov(res, Operand::r(0)), alu(BPF_ADD, res, Operand::r(ctx)),
              mov(0, Operand::r(res)), exit_insn()};
  auto stats = run_register_allocation(fn);
  ASSERT_TRUE(stats.has_value()) << stats.error().str();
  ASSERT_TRUE(verify(fn, VerifyOptions{true}).has_value());
  // ctx survives the call, so it lives in r6-r9; the call's argument went straight to r1.
  EXPECT_GE(fn.insts[0].dst, 6);
  EXPECT_LE(fn.insts[0].dst, 9);
  EXPECT_EQ(fn.insts[1].dst, 1);
  EXPECT_EQ(stats->spilled, 0);
}

TEST(RegisterAllocation, SpillsWhenMoreThanFourValuesSurviveACall) {
  Function fn;
  fn.name = "pressure";
  std::vector<Reg> live;
  for (int i = 0; i < 6; ++i) {
    live.push_back(fn.new_vreg());
    fn.insts.push_back(mov(live.back(), Operand::i(i + 1)));
  }
  fn.insts.push_back(call(5, 0));
  Reg sum = fn.new_vreg();
  fn.insts.push_back(mov(sum, Operand::i(0)));
  for (Reg r : live)
    fn.insts.push_back(alu(BPF_ADD, sum, Operand::r(r)));
  fn.insts.push_back(mov(0, Operand::r(sum)));
  fn.insts.push_back(exit_insn());
  auto stats = run_register_allocation(fn);
  ASSERT_TRUE(stats.has_value());
  EXPECT_GE(stats->spilled, 2);
  EXPECT_TRUE(verify(fn, VerifyOptions{true}).has_value());
  EXPECT_GT(fn.stack_size, 0);
}

TEST(Peephole, JumpsToTheNextInstructionAndOverGotosDisappear) {
  Function fn;
  fn.name = "jumps";
  fn.next_label = 3;
  // if r1 == 0 goto L0; goto L1; L0: r0 = 1; exit; L1: r0 = 2; goto L2; L2: exit
  Inst ja;
  ja.op = Op::ja;
  ja.label = 1;
  Inst ja2 = ja;
  ja2.label = 2;
  fn.insts = {jump(BPF_JEQ, 1, Operand::i(0), 0),
              ja,
              label(0),
              mov(0, Operand::i(1)),
              exit_insn(),
              label(1),
              mov(0, Operand::i(2)),
              ja2,
              label(2),
              exit_insn()};
  run_peephole(fn);
  ASSERT_TRUE(verify(fn, VerifyOptions{true}).has_value());
  int jumps = 0, gotos = 0;
  for (const Inst &i : fn.insts)
    jumps += i.op == Op::jump, gotos += i.op == Op::ja;
  EXPECT_EQ(jumps, 1);
  EXPECT_EQ(gotos, 0);
  EXPECT_EQ(fn.insts[0].code, BPF_JNE);
}

TEST(Peephole, ARepeatedReturnBlockIsSharedThroughOneJump) {
  Function fn;
  fn.name = "returns";
  fn.next_label = 2;
  // if r1 <= 34 goto L0; r0 = 2; exit; L0: if r1 == 0 goto L1; r0 = 1; exit; L1: r0 = 2; exit
  fn.insts = {jump(BPF_JLE, 1, Operand::i(34), 0),
              mov(0, Operand::i(2)),
              exit_insn(),
              label(0),
              jump(BPF_JEQ, 1, Operand::i(0), 1),
              mov(0, Operand::i(1)),
              exit_insn(),
              label(1),
              mov(0, Operand::i(2)),
              exit_insn()};
  run_peephole(fn);
  ASSERT_TRUE(verify(fn, VerifyOptions{true}).has_value());
  // The first `r0 = 2; exit` is gone: the bounds check jumps to the last one instead.
  EXPECT_EQ(count_ops(fn, Op::exit), 2);
  EXPECT_EQ(fn.insts[0].op, Op::jump);
  EXPECT_EQ(fn.insts[0].code, BPF_JGT);
  EXPECT_EQ(fn.insts[0].label, 1);
  // `r0 = 1; exit` has no copy further on: it stays where it is.
  EXPECT_EQ(fn.insts.size(), 8u);
}

TEST(Peephole, DifferentReturnBlocksStayApart) {
  Function fn;
  fn.name = "distinct";
  fn.next_label = 1;
  fn.insts = {jump(BPF_JLE, 1, Operand::i(34), 0),
              mov(0, Operand::i(2)),
              exit_insn(),
              label(0),
              mov(0, Operand::i(1)),
              exit_insn()};
  run_peephole(fn);
  ASSERT_TRUE(verify(fn, VerifyOptions{true}).has_value());
  EXPECT_EQ(count_ops(fn, Op::exit), 2);
  EXPECT_EQ(fn.insts[0].code, BPF_JLE);
}

// The listing of a compiled dispatcher: the packet pointer `ip = data + 14` folds into the
// protocol load, and the bounds check shares the final `r0 = XDP_PASS; exit`.
TEST(Optimisations, ListingHasFoldedOffsetsAndOneReturnBlock) {
  const char *source = R"(
(defmap jump-table :type :prog-array :key-size 4 :value-size 4 :max-entries 8)
(defprog dispatcher (:type :xdp)
  (with-ipv4 (data data-end ip)
    (case (ipv4-protocol ip)
      (+ip-proto-tcp+ (tail-call jump-table 0))
      (+ip-proto-udp+ (tail-call jump-table 1))))
  XDP_PASS)
)";
  auto object = run_pipeline(std::make_shared<const SourceFile>("d.lisp", source), {});
  ASSERT_TRUE(object.has_value()) << object.error().str();
  std::string listing = format_listing(*object);
  EXPECT_NE(listing.find("= *(u8 *)(r2 +23)"), std::string::npos) << listing;
  EXPECT_EQ(listing.find(" += 14"), std::string::npos) << listing;
  EXPECT_NE(listing.find("< 69 goto"), std::string::npos) << listing; // IHL below 5
  size_t first = listing.find("r0 = 2");
  ASSERT_NE(first, std::string::npos) << listing;
  EXPECT_EQ(listing.find("r0 = 2", first + 1), std::string::npos) << listing;
  EXPECT_NE(listing.find("if r4 > r3 goto"), std::string::npos) << listing;
  // Every instruction still has a source line.
  const std::vector<bpf_insn> &insns = object->sections[0].programs[0].code.insns;
  const std::vector<Loc> &locs = object->sections[0].programs[0].code.locs;
  ASSERT_EQ(locs.size(), insns.size());
  for (const Loc &loc : locs)
    EXPECT_GT(loc.line, 0u);
}

} // namespace
