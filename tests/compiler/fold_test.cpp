// Constant folding and the top-level definition checks.
#include "compiler/expand/macro_expand.h"
#include "compiler/fold/fold_constants.h"
#include "compiler/model/collect_definitions.h"
#include "compiler/reader/reader.h"

#include <gtest/gtest.h>

#include <linux/bpf.h>

using namespace xdpchain::compiler;

namespace {

struct Folded {
  std::unique_ptr<SourceFile> file;
  Diagnostics diags;
  std::vector<DatumPtr> forms;
};

std::unique_ptr<Folded> fold(const std::string &text) {
  auto f = std::make_unique<Folded>();
  f->file = std::make_unique<SourceFile>("f.lisp", text);
  f->forms =
      run_fold_constants(run_macro_expansion(run_reader(*f->file, f->diags), f->diags), f->diags);
  return f;
}

TEST(ConstantFolding, ArithmeticAndConstants) {
  auto f = fold("(defconstant +a+ (* 256 1024)) (defconstant +b+ (+ +a+ 1)) (x +b+ (ash 1 4) "
                "(logand #xff00 #x0ff0) (- 5) (>> -16 2) (>>> -16 2) (= 1 1) XDP_DROP +tcp-syn+ "
                "(ntohs #x0800) (f y 3))");
  ASSERT_FALSE(f->diags.has_errors()) << f->diags.format();
  ASSERT_EQ(f->forms.size(), 1u);
  EXPECT_EQ(to_string(*f->forms[0]),
            "(x 262145 16 3840 -5 4611686018427387900 -4 1 1 2 8 (f y 3))");
}

TEST(ConstantFolding, DivisionByZeroIsAnError) {
  auto f = fold("(defconstant +x+ (/ 1 0))");
  ASSERT_TRUE(f->diags.has_errors());
  EXPECT_NE(f->diags.errors()[0].message.find("division by zero"), std::string::npos);
}

TEST(Definitions, StructLayoutIsNaturallyAligned) {
  auto f = fold("(defstruct s (a u8) (b u32) (c u16) (d u64) (e (array u8 3))) (defprog p () 0)");
  ProgramModel model = run_collect_definitions(f->forms, f->diags);
  ASSERT_FALSE(f->diags.has_errors()) << f->diags.format();
  const StructDef *s = model.find_struct("s");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->field("a")->offset, 0u);
  EXPECT_EQ(s->field("b")->offset, 4u);
  EXPECT_EQ(s->field("c")->offset, 8u);
  EXPECT_EQ(s->field("d")->offset, 16u);
  EXPECT_EQ(s->field("e")->offset, 24u);
  EXPECT_EQ(s->size, 32u);
}

TEST(Definitions, MapsAndProgramsWithTheirOptions) {
  auto f = fold("(defmap events :type :ringbuf :max-entries (* 256 1024))\n"
                "(defmap drop-count :type :percpu-array :key-size 4 :value-size 8 :max-entries 1)\n"
                "(defprog drop-port (:priority 20 :proceed-on (:pass :drop)) 2)\n"
                "(defprog sock (:type :socket-filter :license \"GPL\") 0)");
  ProgramModel model = run_collect_definitions(f->forms, f->diags);
  ASSERT_FALSE(f->diags.has_errors()) << f->diags.format();
  ASSERT_EQ(model.maps.size(), 2u);
  EXPECT_EQ(model.maps[0].type, static_cast<uint32_t>(BPF_MAP_TYPE_RINGBUF));
  EXPECT_EQ(model.maps[0].max_entries, 256u * 1024u);
  EXPECT_EQ(model.maps[1].c_name, "drop_count");
  ASSERT_EQ(model.programs.size(), 2u);
  EXPECT_EQ(model.programs[0].c_name, "drop_port");
  EXPECT_EQ(model.programs[0].section, "xdp");
  EXPECT_EQ(*model.programs[0].priority, 20u);
  EXPECT_EQ(*model.programs[0].proceed_on, (1u << XDP_PASS) | (1u << XDP_DROP));
  EXPECT_EQ(model.programs[1].section, "socket");
  EXPECT_EQ(model.license, "GPL");
}

} // namespace
