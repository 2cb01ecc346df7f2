// The semantic check (compiler/sema/): one case per kind of error it reports, with the
// exact message and position, and several errors reported from one source.
#include "compiler/compile.h"
#include "compiler/expand/form_shapes.h"
#include "compiler/expand/macro_expand.h"
#include "compiler/fold/fold_constants.h"
#include "compiler/forms/core_forms.h"
#include "compiler/lower/lower_program.h"
#include "compiler/model/collect_definitions.h"
#include "compiler/reader/reader.h"
#include "compiler/sema/sema.h"

#include <gtest/gtest.h>

using namespace xdpchain::compiler;

namespace {

struct SemaCase {
  const char *name;
  std::string source;
  const char *position; // "line:col"
  const char *message;  // exactly
};

std::string position_of(const CompileDiagnostic &d) {
  return std::to_string(d.line) + ":" + std::to_string(d.column);
}

class SemanticErrors : public ::testing::TestWithParam<SemaCase> {};

TEST_P(SemanticErrors, ReportTheExactMessageAndPosition) {
  CompileReport report = compile_source_report(GetParam().source, "s.lisp");
  ASSERT_EQ(report.diagnostics.size(), 1u) << report.formatted;
  const CompileDiagnostic &d = report.diagnostics[0];
  EXPECT_EQ(d.code, "semantic") << report.formatted;
  EXPECT_EQ(d.file, "s.lisp");
  EXPECT_EQ(position_of(d), GetParam().position) << report.formatted;
  EXPECT_EQ(d.message, GetParam().message);
  EXPECT_TRUE(report.object.empty());
}

const char *kArrayMap = "(defmap m :type :array :key-size 4 :value-size 8 :max-entries 1)\n";

INSTANTIATE_TEST_SUITE_P(
    Kinds, SemanticErrors,
    ::testing::Values(
        SemaCase{"FormArity", "(defprog p ()\n  (if 1))", "2:3",
                 "if: expected (if TEST THEN [ELSE])"},
        SemaCase{"SetfPairs", "(defprog p () (let ((x 1)) (setf x)))", "1:28",
                 "setf: expected (setf PLACE VALUE [PLACE VALUE]...)"},
        SemaCase{"HelperArity", "(defprog p () (ktime-get-ns 1))", "1:15",
                 "helper 'ktime-get-ns' takes 0 arguments, got 1"},
        SemaCase{"AccessorArity", "(defstruct s (a u32))\n(defprog p () (s-a))", "2:15",
                 "s-a: expected (s-a POINTER), got 0 operands"},
        SemaCase{"UnboundVariable", "(defprog p () (+ 1 y))", "1:20", "undefined variable 'y'"},
        SemaCase{"DuplicateBinding", "(defprog p () (let ((x 1) (x 2)) x))", "1:28",
                 "let: duplicate binding 'x'"},
        SemaCase{"MalformedBinding", "(defprog p () (let ((1 2)) 0))", "1:21",
                 "let: expected a binding (VAR INIT), (VAR TYPE INIT) or (VAR TYPE)"},
        SemaCase{"UnknownForm", "(defprog p () (frob 1))", "1:15",
                 "unknown function or form 'frob'"},
        SemaCase{"UnknownMap", "(defprog p () (getmap nomap 0))", "1:23",
                 "'nomap' is not a map defined with defmap"},
        SemaCase{"MapAsValue", std::string(kArrayMap) + "(defprog p () (+ m 1))", "2:18",
                 "map 'm' used as a value: maps can only be passed to map operations and "
                 "helpers"},
        SemaCase{"UnknownType", "(defprog p () (cast f32 1))", "1:21",
                 "cast: unknown type 'f32': expected u8 u16 u32 u64 i8 i16 i32 i64"},
        SemaCase{"AtomicType", "(defprog p () (atomic-add (ctx data) 0 1 u8))", "1:42",
                 "atomic-add: the type must be u32, u64, i32 or i64, found 'u8'"},
        SemaCase{"SizeofType", "(defprog p () (sizeof nothing))", "1:23",
                 "sizeof: 'nothing' is not a defstruct or scalar type"},
        SemaCase{"LiteralRequired", "(defprog p () (load u8 (ctx data) x))", "1:35",
                 "load: OFFSET must be an integer constant, found 'x'"},
        SemaCase{"ByteCount", "(defprog p () (memset (ctx data) 0 0 9999))", "1:38",
                 "memset: N must be an integer constant from 0 to 512, found '9999'"},
        SemaCase{"ConstantRequired", "(defprog p () (let ((n (ctx data))) (dotimes (i n) 1)))",
                 "1:49", "dotimes: COUNT must be a constant"},
        SemaCase{"OneErrorPerOperand", "(defprog p () (dotimes (i (ctx len)) 1))", "1:32",
                 "'len' is not a field of the :xdp context"},
        SemaCase{"ShiftConstant", "(defprog p () (ash 1 (ctx data)))", "1:22",
                 "ash: SHIFT must be a constant"},
        SemaCase{"ContextField", "(defprog p () (ctx bogus))", "1:20",
                 "'bogus' is not a field of the :xdp context"},
        SemaCase{"ProgArray", std::string(kArrayMap) + "(defprog p () (tail-call m 0))", "2:26",
                 "tail-call: map 'm' is not a :prog-array"},
        SemaCase{"CounterMap",
                 "(defmap m :type :hash :key-size 4 :value-size 12 :max-entries 1)\n"
                 "(defprog p () (incf (getmap m 1)))",
                 "2:21", "incf: map 'm' does not hold integers"},
        SemaCase{"KeyNeedsPointer",
                 "(defmap m :type :hash :key-size 12 :value-size 8 :max-entries 1)\n"
                 "(defprog p () (getmap m 5))",
                 "2:25", "map 'm' has a 12-byte key: pass a pointer to it (e.g. from make-STRUCT)"},
        // A struct key of 4 bytes is still a struct: the message says so.
        SemaCase{"StructKeyNeedsPointer",
                 "(defstruct k (port u16) (proto u8) (pad u8))\n"
                 "(defmap m :type :hash :key-type k :value-size 8 :max-entries 1)\n"
                 "(defprog p () (getmap m 5))",
                 "3:25",
                 "map 'm' has a struct key (k, 4-byte): pass a pointer to one, e.g. from "
                 "(make-k)"},
        SemaCase{"StackAddr", "(defprog p () (stack-addr q))", "1:27",
                 "stack-addr: expected a variable bound by let, found 'q'"},
        SemaCase{"SetfPlace", "(defprog p () (setf (ctx-ptr) 3))", "1:21",
                 "setf: cannot assign to '(ctx-ptr)': expected a variable, (ctx FIELD), (getmap "
                 "MAP KEY), (load ...) or a struct field accessor"},
        SemaCase{"SetfUnbound", "(defprog p () (setf x 3))", "1:21",
                 "setf: undefined variable 'x'"},
        SemaCase{"DeclareUnbound", "(defprog p () (let ((x 1)) (declare (type u8 y)) x))", "1:46",
                 "declare: 'y' is not a variable of this let"},
        SemaCase{"CaseKeys", "(defprog p () (case 1 (x 2)))", "1:24",
                 "case: keys must be integer constants, found 'x'"},
        SemaCase{"CondClause", "(defprog p () (cond 5))", "1:21",
                 "cond: expected a clause (TEST BODY...), found '5'"},
        SemaCase{"Quote", "(defprog p () (quote (a b)))", "1:15",
                 "quoted data has no value in a BPF program"},
        SemaCase{"Keyword", "(defprog p () :kw)", "1:15",
                 "unexpected keyword ':kw' in an expression"},
        SemaCase{"FormName", "(defprog p () ((f) 1))", "1:15",
                 "expected a form name, found '(f)'"}),
    [](const ::testing::TestParamInfo<SemaCase> &info) { return std::string(info.param.name); });

TEST(SemanticCheck, ReportsEveryErrorNotOnlyTheFirst) {
  CompileReport report =
      compile_source_report("(defprog p ()\n  (frob 1)\n  (+ y 1)\n  (if 1))\n", "three.lisp");
  ASSERT_EQ(report.diagnostics.size(), 3u) << report.formatted;
  EXPECT_EQ(position_of(report.diagnostics[0]), "2:3");
  EXPECT_EQ(report.diagnostics[0].message, "unknown function or form 'frob'");
  EXPECT_EQ(position_of(report.diagnostics[1]), "3:6");
  EXPECT_EQ(report.diagnostics[1].message, "undefined variable 'y'");
  EXPECT_EQ(position_of(report.diagnostics[2]), "4:3");
  EXPECT_EQ(report.diagnostics[2].message, "if: expected (if TEST THEN [ELSE])");
  for (const CompileDiagnostic &d : report.diagnostics)
    EXPECT_EQ(d.code, "semantic");
  // The formatted text (what the CLI prints) has all three.
  EXPECT_NE(report.formatted.find("three.lisp:2:3: error:"), std::string::npos);
  EXPECT_NE(report.formatted.find("three.lisp:3:6: error:"), std::string::npos);
  EXPECT_NE(report.formatted.find("three.lisp:4:3: error:"), std::string::npos);
}

TEST(SemanticCheck, ChecksEveryProgramOfTheFile) {
  CompileReport report =
      compile_source_report("(defprog a () (frob))\n(defprog b () (frob))\n", "two.lisp");
  ASSERT_EQ(report.diagnostics.size(), 2u) << report.formatted;
  EXPECT_EQ(report.diagnostics[0].line, 1u);
  EXPECT_EQ(report.diagnostics[1].line, 2u);
}

TEST(SemanticCheck, StopsAtTheCapWithAHint) {
  std::string source = "(defprog p ()\n";
  for (int i = 0; i < 30; ++i)
    source += "  (+ v" + std::to_string(i) + " 1)\n";
  source += "  0)\n";
  CompileReport report = compile_source_report(source, "many.lisp");
  ASSERT_EQ(report.diagnostics.size(), kMaxSemanticErrors);
  EXPECT_EQ(report.diagnostics.back().message, "undefined variable 'v19'");
  ASSERT_EQ(report.diagnostics.back().hints.size(), 1u);
  EXPECT_EQ(report.diagnostics.back().hints[0], "stopped after 20 errors");
}

TEST(SemanticCheck, ErrorsInMacroArgumentsPointAtTheArgument) {
  CompileReport report = compile_source_report(
      "(defmacro twice (x) `(+ ,x ,x))\n(defprog p ()\n  (twice nope))\n", "m.lisp");
  ASSERT_EQ(report.diagnostics.size(), 2u) << report.formatted; // both copies of nope
  EXPECT_EQ(report.diagnostics[0].code, "semantic");
  EXPECT_EQ(position_of(report.diagnostics[0]), "3:10");
  EXPECT_EQ(report.diagnostics[0].message, "undefined variable 'nope'");
}

TEST(SemanticCheck, ValidProgramsPassAndLetStarMayRebind) {
  CompileReport report =
      compile_source_report("(defstruct k (a u32) (b u32))\n"
                            "(defmap m :type :hash :key-type k :value-size 8 :max-entries 4)\n"
                            "(defprog p ()\n"
                            "  (let* ((x 1) (x (+ x 1)) (key (make-k)))\n"
                            "    (setf (k-a key) x)\n"
                            "    (dotimes (i (sizeof k)) (setf x (+ x i)))\n"
                            "    (incf (getmap m key))\n"
                            "    XDP_PASS))\n",
                            "ok.lisp");
  EXPECT_TRUE(report.ok()) << report.formatted;
}

} // namespace

namespace {

TEST(CoreForms, TheOneTableGivesTheExpanderItsShapes) {
  EXPECT_EQ(find_form_shape("let")->walk, FormWalk::bindings);
  EXPECT_EQ(find_form_shape("let*")->walk, FormWalk::bindings);
  EXPECT_EQ(find_form_shape("dotimes")->walk, FormWalk::counter);
  EXPECT_EQ(find_form_shape("cond")->walk, FormWalk::clauses);
  EXPECT_EQ(find_form_shape("case")->walk, FormWalk::keyed);
  for (const char *data : {"quote", "declare", "sizeof", "ctx", "stack-addr"})
    EXPECT_EQ(find_form_shape(data)->walk, FormWalk::data) << data;
  for (const char *code : {"+", "if", "load", "setf", "getmap", "memset"})
    EXPECT_EQ(find_form_shape(code), nullptr) << code;
  EXPECT_EQ(find_form_shape("defprog")->first, 3u);
  EXPECT_EQ(find_form_shape("frob"), nullptr);
}

TEST(CoreForms, ArityComesFromTheTable) {
  const CoreForm *setf = find_core_form("setf");
  ASSERT_NE(setf, nullptr);
  EXPECT_TRUE(setf->arity_ok(2));
  EXPECT_FALSE(setf->arity_ok(3));
  EXPECT_EQ(setf->operand(1), Operand::place);
  EXPECT_EQ(setf->operand(2), Operand::expr);
  const CoreForm *load = find_core_form("load");
  EXPECT_TRUE(load->arity_ok(2) && load->arity_ok(3));
  EXPECT_FALSE(load->arity_ok(4));
  EXPECT_EQ(load->operand(3), Operand::literal);
  EXPECT_EQ(find_core_form("frob"), nullptr);
}

// Lowering trusts the semantic check: run without it, an unchecked form is an internal
// error naming the gap, not a user error or a crash.
TEST(SemanticCheck, LoweringWithoutItReportsAnInternalError) {
  SourceFile source("raw.lisp", "(defprog p () (if 1))");
  Diagnostics diags;
  auto forms = run_reader(source, diags);
  forms = run_macro_expansion(forms, diags);
  forms = run_fold_constants(forms, diags);
  ProgramModel model = run_collect_definitions(forms, diags);
  ASSERT_FALSE(diags.has_errors()) << diags.format();
  ASSERT_EQ(model.programs.size(), 1u);
  EXPECT_FALSE(run_lowering(model, model.programs[0], diags));
  ASSERT_EQ(diags.errors().size(), 1u);
  EXPECT_EQ(diags.errors()[0].code, "internal");
  EXPECT_NE(diags.errors()[0].message.find("the semantic check missed it"), std::string::npos);
  Diagnostics checked;
  EXPECT_FALSE(run_semantic_check(model, checked));
  EXPECT_EQ(checked.errors()[0].message, "if: expected (if TEST THEN [ELSE])");
}

} // namespace
