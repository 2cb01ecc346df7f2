// The shared instruction and BTF builders, and the chain's pure helpers (order, actions),
// checked without a kernel. BTF is checked by parsing our bytes back with libbpf.
#include "common/btf_builder.h"
#include "common/insn_builder.h"
#include "dispatcher/chain_spec.h"
#include "dispatcher/order.h"

#include <bpf/btf.h>
#include <linux/btf.h>

#include <gtest/gtest.h>

namespace xdpchain {
namespace {

using namespace bpf;

TEST(InsnBuilder, ResolvesForwardAndBackwardJumps) {
  InsnBuilder b;
  Label top = b.new_label();
  Label out = b.new_label();
  b.bind(top);                    // 0
  b.jmp_imm(BPF_JEQ, R1, 0, out); // 1 -> 4
  b.alu64_imm(BPF_SUB, R1, 1);    // 1
  b.ja(top);                      // 2 -> 0
  b.bind(out);
  b.exit_insn(); // 3
  auto insns = b.assemble();
  ASSERT_TRUE(insns.has_value()) << insns.error().str();
  ASSERT_EQ(insns->size(), 4u);
  EXPECT_EQ((*insns)[0].off, 2);  // 0 + 1 + 2 = 3
  EXPECT_EQ((*insns)[2].off, -3); // 2 + 1 - 3 = 0
}

TEST(InsnBuilder, LocalCallTargetsSubprogramStart) {
  InsnBuilder b;
  Label sub = b.new_label();
  b.call_local(sub); // 0
  b.exit_insn();     // 1
  b.bind(sub);
  b.mov64_imm(R0, 2); // 2
  b.exit_insn();
  auto insns = b.assemble();
  ASSERT_TRUE(insns.has_value());
  EXPECT_EQ((*insns)[0].src_reg, BPF_PSEUDO_CALL);
  EXPECT_EQ((*insns)[0].imm, 1);
}

TEST(InsnBuilder, UnboundLabelIsAnError) {
  InsnBuilder b;
  b.ja(b.new_label());
  auto insns = b.assemble();
  ASSERT_FALSE(insns.has_value());
  EXPECT_NE(insns.error().str().find("not bound"), std::string::npos);
}

TEST(InsnBuilder, Imm64TakesTwoSlots) {
  InsnBuilder b;
  b.ld_imm64(R1, 0x1122334455667788ull);
  auto insns = *b.assemble();
  ASSERT_EQ(insns.size(), 2u);
  EXPECT_EQ(static_cast<uint32_t>(insns[0].imm), 0x55667788u);
  EXPECT_EQ(static_cast<uint32_t>(insns[1].imm), 0x11223344u);
}

TEST(BtfBuilder, EncodesGlobalXdpFunctionsLibbpfCanParse) {
  BtfBuilder b;
  TypeId proto = b.xdp_func_proto();
  TypeId slot = b.func("slot0", proto, Linkage::global);
  auto bytes = b.encode();
  ASSERT_TRUE(bytes.has_value()) << bytes.error().str();
  btf *parsed = btf__new(bytes->data(), bytes->size());
  ASSERT_NE(parsed, nullptr);
  int id = btf__find_by_name_kind(parsed, "slot0", BTF_KIND_FUNC);
  EXPECT_EQ(static_cast<TypeId>(id), slot);
  EXPECT_EQ(btf_vlen(btf__type_by_id(parsed, id)), BTF_FUNC_GLOBAL);
  int md = btf__find_by_name_kind(parsed, "xdp_md", BTF_KIND_STRUCT);
  ASSERT_GT(md, 0);
  const btf_type *t = btf__type_by_id(parsed, md);
  EXPECT_EQ(t->size, 24u);
  EXPECT_EQ(btf_vlen(t), 6);
  btf__free(parsed);
}

TEST(RunOrder, LowerPriorityFirstThenLabelThenSequence) {
  using dispatcher::OrderKey;
  std::vector<OrderKey> keys{{50, "b", 1}, {10, "z", 2}, {50, "a", 3}, {50, "a", 0}, {-5, "m", 9}};
  std::vector<size_t> order = dispatcher::run_order(keys);
  EXPECT_EQ(order, (std::vector<size_t>{4, 1, 3, 2, 0}));
}

TEST(Actions, AcceptShortAndKernelNames) {
  EXPECT_EQ(dispatcher::action_from_string("pass"), XDP_PASS);
  EXPECT_EQ(dispatcher::action_from_string("XDP_DROP"), XDP_DROP);
  EXPECT_EQ(dispatcher::action_from_string("Redirect"), XDP_REDIRECT);
  EXPECT_EQ(dispatcher::action_from_string("XDP_DORP"), -1);
  EXPECT_EQ(dispatcher::actions_to_string((1u << XDP_DROP) | (1u << XDP_PASS)), "drop,pass");
}

} // namespace
} // namespace xdpchain
