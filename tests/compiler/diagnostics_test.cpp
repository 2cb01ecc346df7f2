// Every compiler error names file:line:column, shows the source line and a caret. One
// case per diagnostic of the front end.
#include "compiler_test_support.h"

#include "compiler/compile.h"
#include "compiler/diagnostics.h"

#include <gtest/gtest.h>

using namespace xdpchain::compiler;
using namespace xdpchain::compiler::testing;

namespace {

TEST(Diagnostics, FormatShowsPositionSourceLineAndCaret) {
  std::string message = compile_error("(defprog p ()\n  (frobnicate 1 2))\n", "bad.lisp");
  EXPECT_EQ(message, "bad.lisp:2:3: error: unknown function or form 'frobnicate'\n"
                     "    (frobnicate 1 2))\n"
                     "    ^~~~~~~~~~~~~~~~\n");
}

TEST(Diagnostics, ErrorsInsideMacrosNameTheCallSiteToo) {
  std::string message =
      compile_error("(defmacro bad (x) `(frob ,x))\n(defprog p ()\n  (bad 1))\n", "m.lisp");
  EXPECT_NE(message.find("m.lisp:1:20: error: unknown function or form 'frob'"), std::string::npos)
      << message;
  EXPECT_NE(message.find("m.lisp:3:3: note: expanded from this macro call"), std::string::npos)
      << message;
}

struct Case {
  const char *source;
  const char *position; // "line:col"
  const char *message;
  const char *code = nullptr; // default: the suite's stage (Reader: syntax, ...)
};

// The code a case expects: its own, or its suite's.
std::string expected_code(const Case &c) {
  if (c.code) return c.code;
  std::string suite = ::testing::UnitTest::GetInstance()->current_test_info()->test_suite_name();
  if (suite.rfind("Reader/", 0) == 0) return "syntax";
  if (suite.rfind("TopLevel/", 0) == 0) return "definition";
  return "semantic";
}

class CompileErrors : public ::testing::TestWithParam<Case> {};

TEST_P(CompileErrors, NameThePositionAndSayWhatWasExpected) {
  std::string message = compile_error(GetParam().source, "e.lisp");
  ASSERT_FALSE(message.empty()) << "compiled: " << GetParam().source;
  EXPECT_EQ(message.rfind(std::string("e.lisp:") + GetParam().position + ": error: ", 0), 0u)
      << message;
  EXPECT_NE(message.find(GetParam().message), std::string::npos) << message;
  EXPECT_NE(message.find("^"), std::string::npos) << message;
  // The same error as data: its code and position, whatever the wording.
  CompileReport report = compile_source_report(GetParam().source, "e.lisp");
  ASSERT_FALSE(report.ok());
  const CompileDiagnostic &d = report.diagnostics[0];
  EXPECT_EQ(d.code, expected_code(GetParam())) << message;
  EXPECT_EQ(d.file, "e.lisp");
  EXPECT_EQ(std::to_string(d.line) + ":" + std::to_string(d.column), GetParam().position);
  EXPECT_EQ(report.formatted, message);
  EXPECT_TRUE(report.object.empty());
}

TEST(Diagnostics, ReportCarriesCodesNotesAndHintsAsData) {
  CompileReport ok = compile_source_report("(defprog p () XDP_PASS)", "ok.lisp");
  EXPECT_TRUE(ok.ok());
  EXPECT_FALSE(ok.object.empty());
  EXPECT_TRUE(ok.formatted.empty());

  CompileReport inside =
      compile_source_report("(defmacro bad (x) `(frob ,x))\n(defprog p ()\n  (bad 1))\n", "m.lisp");
  ASSERT_EQ(inside.diagnostics.size(), 1u);
  EXPECT_EQ(inside.diagnostics[0].code, "semantic");
  ASSERT_EQ(inside.diagnostics[0].notes.size(), 1u);
  EXPECT_EQ(inside.diagnostics[0].notes[0].line, 3u);
  EXPECT_EQ(inside.diagnostics[0].notes[0].column, 3u);

  CompileReport runaway =
      compile_source_report("(defmacro m (x) `(m (+ ,x 1)))\n(defprog p () (m 0))", "r.lisp");
  ASSERT_FALSE(runaway.ok());
  EXPECT_EQ(runaway.diagnostics[0].code, "expansion-limit");
  EXPECT_FALSE(runaway.diagnostics[0].hints.empty());
  EXPECT_GE(runaway.diagnostics[0].notes.size(), 10u); // the macro call chain

  CompileReport evaluated =
      compile_source_report("(defmacro m () (car 5))\n(defprog p () (m))", "c.lisp");
  ASSERT_FALSE(evaluated.ok());
  EXPECT_EQ(evaluated.diagnostics[0].code, "compile-time");
  ASSERT_FALSE(evaluated.diagnostics[0].notes.empty());
  EXPECT_EQ(evaluated.diagnostics[0].notes.back().line, 2u); // the macro call
}

INSTANTIATE_TEST_SUITE_P(Reader, CompileErrors,
                         ::testing::Values(Case{"(defprog p ()\n  (+ 1 2)", "1:1", "unclosed '('"},
                                           Case{"(defprog p () 0))", "1:17", "unexpected ')'"},
                                           Case{"(defprog p () #xZZ)", "1:15",
                                                "invalid base-16 integer"}));

INSTANTIATE_TEST_SUITE_P(
    TopLevel, CompileErrors,
    ::testing::Values(
        Case{"(frob f () 1)", "1:1", "'frob' is not a top-level form"},
        Case{"(defun f () 1)", "1:1", "defun at top level", "macro"},
        Case{"(defmap m :type :array :key-size 4 :value-size 8)", "1:1", ":max-entries"},
        Case{"(defmap m :type :hashy :key-size 4 :value-size 8 :max-entries 1)", "1:17",
             "unknown map type ':hashy'"},
        Case{"(defmap m :type :hash :max-entries 1)", "1:1", "missing :key-size or :value-size"},
        Case{"(defmap m :type :hash :colour 1 :max-entries 1)", "1:23", "unknown option ':colour'"},
        Case{"(defmap m :type :hash :key-size -1 :value-size 8 :max-entries 1)", "1:33",
             "expected a non-negative integer"},
        Case{"(defmap m :type :hash :key-size 4 :value-size 8 :value-type nope :max-entries 1)",
             "1:61", "is not a defstruct"},
        Case{"(defstruct s (a u7))", "1:17", "unknown field type 'u7'"},
        Case{"(defstruct s (a u8) (a u8))", "1:22", "duplicate field 'a'"},
        Case{"(defstruct s)", "1:1", "defstruct: expected"},
        Case{"(defprog p (:type :xdpp) 0)", "1:19", "unknown program type ':xdpp'"},
        Case{"(defprog p (:typo 1) 0)", "1:13", "unknown option ':typo'"},
        Case{"(defprog p (:proceed-on (:maybe)) 0)", "1:26", "unknown XDP action ':maybe'"},
        Case{"(defprog p (:type :tc :priority 1) 0)", "1:12", "apply to :xdp programs only"},
        Case{"(defprog p ())", "1:1", "empty body"},
        Case{"(defprog p () 0) (defprog p () 1)", "1:27", "already defined"},
        Case{"(defprog p (:license \"GPL\") 0) (defprog q (:license \"MIT\") 0)", "1:43",
             "one license"},
        Case{"(defconstant +x+ (f 1))", "1:18", "expected an integer constant expression",
             "constant"},
        Case{"(defconstant +x+ (/ 4 0))", "1:18", "division by zero", "constant"},
        Case{"(defmap m :type :array :key-size 4 :value-size 8 :max-entries 1)", "1:1",
             "no defprog"}));

INSTANTIATE_TEST_SUITE_P(
    Expressions, CompileErrors,
    ::testing::Values(
        Case{"(defprog p () undefined-thing)", "1:15", "undefined variable 'undefined-thing'"},
        Case{"(defprog p () (if 1))", "1:15", "(if TEST THEN [ELSE])"},
        Case{"(defprog p () (load u7 0 0))", "1:21", "unknown type 'u7'"},
        Case{"(defprog p () (load u8 (ctx data) x))", "1:35", "OFFSET must be an integer constant"},
        Case{"(defprog p () (ctx bogus))", "1:20", "not a field of the :xdp context"},
        Case{"(defprog p () (getmap nomap 0))", "1:23", "not a map defined with defmap"},
        Case{"(defmap m :type :array :key-size 4 :value-size 8 :max-entries 1)\n(defprog p () m)",
             "2:15", "used as a value"},
        Case{"(defprog p () (ktime-get-ns 1))", "1:15", "takes 0 arguments, got 1"},
        Case{"(defprog p () (dotimes (i (ctx len)) 1))", "1:32", "not a field"},
        Case{"(defprog p () (let ((n (ctx data))) (dotimes (i n) 1)))", "1:49",
             "COUNT must be a constant"},
        Case{"(defprog p () (setf (+ 1 2) 3))", "1:21", "cannot assign"},
        Case{"(defprog p () (setf x 3))", "1:21", "undefined variable 'x'"},
        Case{"(defprog p () (let ((x u9 1)) x))", "1:24", "unknown type 'u9'"},
        Case{"(defprog p () (cast f32 1))", "1:21", "unknown type 'f32'"},
        Case{"(defprog p () (ash (ctx data) (ctx data-end)))", "1:31", "SHIFT must be a constant"},
        Case{"(defprog p () (/ (ctx data) 0))", "1:29", "division by zero", "lowering"},
        Case{"(defprog p () (case 1 (x 2)))", "1:24", "keys must be integer constants"},
        Case{"(defprog p () (sizeof nothing))", "1:23", "not a defstruct"},
        Case{"(defmap m :type :array :key-size 4 :value-size 8 :max-entries 1)\n"
             "(defprog p () (tail-call m 0))",
             "2:26", "is not a :prog-array"},
        Case{"(defprog p () (stack-addr q))", "1:27", "expected a variable bound by let"},
        Case{"(defprog p () (memset (ctx data) 0 0 9999))", "1:38", "from 0 to 512"},
        Case{"(defprog p () (load u8 5 0))", "1:24", "constant address", "lowering"},
        Case{"(defprog p () :kw)", "1:15", "unexpected keyword"},
        Case{"(defprog p () ((f) 1))", "1:15", "expected a form name"},
        Case{"(defstruct big (a (array u8 400)))\n(defprog p () (make-big) (make-big))", "2:26",
             "stack is full", "lowering"}));

} // namespace
