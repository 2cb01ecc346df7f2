// Macro expansion: defmacro templates, the built-in macros, and their error reports.
#include "compiler/expand/macro_expand.h"
#include "compiler/reader/reader.h"

#include <gtest/gtest.h>

using namespace xdpchain::compiler;

namespace {

struct Expanded {
  std::unique_ptr<SourceFile> file;
  Diagnostics diags;
  std::vector<DatumPtr> forms;
};

std::unique_ptr<Expanded> expand(const std::string &text) {
  auto e = std::make_unique<Expanded>();
  e->file = std::make_unique<SourceFile>("m.lisp", text);
  auto forms = run_reader(*e->file, e->diags);
  e->forms = run_macro_expansion(forms, e->diags);
  return e;
}

std::string expand_one(const std::string &text) {
  auto e = expand(text);
  EXPECT_FALSE(e->diags.has_errors()) << e->diags.format();
  return e->forms.empty() ? "" : to_string(*e->forms.back());
}

TEST(MacroExpansion, BackquoteTemplatesWithRestAndBody) {
  EXPECT_EQ(expand_one("(defmacro twice (x) `(+ ,x ,x)) (twice (f 1))"), "(+ (f 1) (f 1))");
  EXPECT_EQ(expand_one("(defmacro my-progn (&body b) `(progn 0 ,@b)) (f (my-progn a b))"),
            "(f (progn 0 a b))");
  EXPECT_EQ(expand_one("(defmacro opt (a &optional (b 5)) `(+ ,a ,b)) (opt 1)"), "(+ 1 5)");
  EXPECT_EQ(expand_one("(defmacro kw (a &key (k 2)) `(- ,a ,k)) (kw 1 :k 9)"), "(- 1 9)");
  EXPECT_EQ(expand_one("(defmacro q () '(x y)) (q)"), "(x y)");
}

TEST(MacroExpansion, MacrosCanUseEarlierMacrosAndNest) {
  EXPECT_EQ(expand_one("(defmacro inc (x) `(+ ,x 1)) (defmacro inc2 (x) `(inc (inc ,x))) (inc2 y)"),
            "(+ (+ y 1) 1)");
}

TEST(MacroExpansion, InPackageIsDroppedAndTopLevelPrognIsFlattened) {
  auto e = expand("(in-package #:whistler) (defmacro two () '(progn (a) (b))) (two)");
  ASSERT_EQ(e->forms.size(), 2u);
  EXPECT_EQ(to_string(*e->forms[0]), "(a)");
}

TEST(MacroExpansion, LetBindingsAreNotCalls) {
  EXPECT_EQ(expand_one("(defmacro x () 1) (let ((x 2)) x)"), "(let ((x 2)) x)");
}

// Issue 8, failure 2: names in data positions that equal a built-in macro's name
// (tcp-flags, eth-type, icmp-type) are never expanded as calls.
TEST(MacroExpansion, DataPositionsAreNeverExpanded) {
  EXPECT_EQ(expand_one("(defstruct ct-value (state u8) (tcp-flags u8) (eth-type u16))"),
            "(defstruct ct-value (state u8) (tcp-flags u8) (eth-type u16))");
  EXPECT_EQ(expand_one("(defmap tcp-flags :type :hash :key-size 4 :value-size 8 :max-entries 1)"),
            "(defmap tcp-flags :type :hash :key-size 4 :value-size 8 :max-entries 1)");
  EXPECT_EQ(expand_one("(defprog p (:type :xdp) (let ((tcp-flags u8 (f)) (eth-type 2)) "
                       "(declare (type u8 tcp-flags)) (g tcp-flags)))"),
            "(defprog p (:type :xdp) (let ((tcp-flags u8 (f)) (eth-type 2)) "
            "(declare (type u8 tcp-flags)) (g tcp-flags)))");
  EXPECT_EQ(expand_one("(dotimes (icmp-type 4) (f icmp-type))"),
            "(dotimes (icmp-type 4) (f icmp-type))");
  // cond clauses are lists of code, not calls; their items are still expanded.
  EXPECT_EQ(expand_one("(cond (tcp-flags (icmp-type p)) (t 0))"),
            "(cond (tcp-flags (load u8 p 0)) (t 0))");
  // case keys are data; the key form and the clause bodies are code.
  EXPECT_EQ(expand_one("(case (icmp-type p) ((tcp-flags) (icmp-code p)) (otherwise 1))"),
            "(case (load u8 p 0) ((tcp-flags) (load u8 p 1)) (otherwise 1))");
  // defconstant's value and defprog's body are code; defprog's options are not.
  EXPECT_EQ(expand_one("(defmacro two () 2) (defconstant +c+ (two))"), "(defconstant +c+ 2)");
}

TEST(MacroExpansion, BuiltinPacketMacros) {
  // The TCP header follows the IPv4 header's options: IHL times 4 after the Ethernet
  // header, bounds-checked for its 20 bytes.
  std::string tcp = expand_one("(with-tcp (d de tcp) (tcp-dst-port tcp))");
  EXPECT_NE(tcp.find("(> (+ d 34) de)"), std::string::npos) << tcp;
  EXPECT_NE(tcp.find("(load u8 d 23) +ip-proto-tcp+)"), std::string::npos) << tcp;
  EXPECT_NE(tcp.find("(+ d (<< (logand #:vi"), std::string::npos) << tcp;
  EXPECT_NE(tcp.find("(+ 14 20)) de)"), std::string::npos) << tcp;
  EXPECT_NE(tcp.find("(ntohs (load u16 tcp 2))"), std::string::npos) << tcp;
  EXPECT_EQ(expand_one("(when-let ((a 1) (b 2)) c)"),
            "(let ((a 1)) (if a (let ((b 2)) (if b (progn c)))))");
  EXPECT_EQ(expand_one("(if-let (p (f)) 1 2)"), "(let ((p (f))) (if p 1 2))");
}

// Shorthand forms reach lowering as core forms; a user macro of the same name wins.
TEST(MacroExpansion, ShorthandFormsAreRewrittenToCoreForms) {
  EXPECT_EQ(expand_one("(when (f) 1 2)"), "(if (f) (progn 1 2))");
  EXPECT_EQ(expand_one("(unless (f) 1)"), "(if (f) 0 (progn 1))");
  EXPECT_EQ(expand_one("(incf x)"), "(setf x (+ x 1))");
  EXPECT_EQ(expand_one("(decf (load u8 p 0) 3)"), "(setf (load u8 p 0) (- (load u8 p 0) 3))");
  EXPECT_EQ(expand_one("(incf (getmap m 0) 2)"), "(incf (getmap m 0) 2)"); // an atomic add
  EXPECT_EQ(expand_one("(when (icmp-type p) (incf n))"),
            "(if (load u8 p 0) (progn (setf n (+ n 1))))");
  EXPECT_EQ(expand_one("(defmacro unless (c x) `(if ,c ,x 9)) (unless a b)"), "(if a b 9)");
  EXPECT_EQ(expand_one("(1+ (1- (icmp-type p)))"), "(+ (- (load u8 p 0) 1) 1)");
  // In a macro body 1+ is the compile-time function; in its expansion, the program's form.
  EXPECT_EQ(expand_one("(defmacro next (n) `(1+ ,(1+ n))) (next 4)"), "(+ 5 1)");
  auto bad = expand("(1+ a b)");
  ASSERT_TRUE(bad->diags.has_errors());
  EXPECT_NE(bad->diags.format().find("1+: expected (1+ X)"), std::string::npos)
      << bad->diags.format();
}

TEST(MacroExpansion, ExpandedSpansPointBackAtTheCallSite) {
  auto e = expand("(defmacro m (x) `(+ ,x 1))\n(m 5)");
  ASSERT_FALSE(e->diags.has_errors());
  const Datum &plus = *e->forms[0];
  ASSERT_TRUE(plus.span.expanded_from);
  EXPECT_EQ(plus.span.expanded_from->line(), 2u);
  EXPECT_EQ(plus[1]->span.line(), 2u); // the argument keeps its own position
}

struct ExpandError {
  const char *text;
  const char *message;
};

class MacroErrors : public ::testing::TestWithParam<ExpandError> {};

TEST_P(MacroErrors, AreReportedWithAPosition) {
  auto e = expand(GetParam().text);
  ASSERT_TRUE(e->diags.has_errors()) << GetParam().text;
  EXPECT_NE(e->diags.errors()[0].message.find(GetParam().message), std::string::npos)
      << e->diags.errors()[0].message;
  EXPECT_TRUE(e->diags.errors()[0].span.valid());
}

INSTANTIATE_TEST_SUITE_P(
    All, MacroErrors,
    ::testing::Values(ExpandError{"(defmacro m (x) `(+ ,x 1)) (m)", "missing argument 'x'"},
                      ExpandError{"(defmacro m (x) `(+ ,x 1)) (m 1 2)", "too many arguments"},
                      ExpandError{"(defmacro m (x) `(+ ,y 1)) (m 1)", "'y' is not a parameter"},
                      ExpandError{"(defmacro m (x) (ctx x)) (m 1)",
                                  "'ctx' is not a compile-time function"},
                      ExpandError{"(defmacro m (x) `(,@x)) (m 1)", "',@' needs a list"},
                      ExpandError{"(defmacro m (x) `(m ,x)) (m 1)", "nested more than"},
                      ExpandError{"(defmacro m 5 1)", "macro parameters must be a list"},
                      ExpandError{"(defmacro m (1) 1)", "expected a parameter name"},
                      ExpandError{"(when-let (x) 1)", "when-let: expected a binding"},
                      ExpandError{"(when)", "when: expected (when TEST BODY...)"},
                      ExpandError{"(incf a 1 2)", "incf: expected (incf PLACE [DELTA])"},
                      ExpandError{"(if-let x 1)", "if-let: expected"}));

} // namespace
