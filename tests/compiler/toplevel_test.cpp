// The top level: progn's forms act as if written in its place, in the order written, and
// macros may expand into defmacro, eval-when and progn (docs/language.md, "Top-level
// forms"); the error for anything else lists what the top level holds.
#include "compiler_test_support.h"

#include "compiler/compile.h"
#include "compiler/expand/macro_expand.h"
#include "compiler/reader/reader.h"

#include <gtest/gtest.h>

using namespace xdpchain::compiler;
using namespace xdpchain::compiler::testing;

namespace {

// The expanded top-level forms of `text`, one string each; fails on errors.
std::vector<std::string> top_level(const std::string &text) {
  SourceFile file("t.lisp", text);
  Diagnostics diags;
  auto forms = run_macro_expansion(run_reader(file, diags), diags);
  EXPECT_FALSE(diags.has_errors()) << diags.format();
  std::vector<std::string> out;
  for (const DatumPtr &form : forms)
    out.push_back(to_string(*form));
  return out;
}

TEST(TopLevel, PrognFormsActAsIfWrittenInItsPlace) {
  auto forms = top_level(R"(
(defconstant +a+ 1)
(progn
  (defmacro two () 2)
  (defconstant +b+ (two))
  (progn (defstruct s (x u8)) (in-package :x))
  (eval-when (:compile-toplevel) (defun three () 3)))
(defmacro three-m () (three))
(defconstant +c+ (three-m))
)");
  EXPECT_EQ(forms, (std::vector<std::string>{"(defconstant +a+ 1)", "(defconstant +b+ 2)",
                                             "(defstruct s (x u8))", "(defconstant +c+ 3)"}));
}

TEST(TopLevel, MacrosInsidePrognAreKnownBeforeTheirDefinitionLikeOthers) {
  auto forms = top_level("(defconstant +x+ (later)) (progn (defmacro later () 7))");
  EXPECT_EQ(forms, std::vector<std::string>{"(defconstant +x+ 7)"});
}

TEST(TopLevel, MacrosExpandIntoDefmacroEvalWhenAndPrognInOrder) {
  // A macro that defines an accessor macro and a helper, then uses both.
  auto forms = top_level(R"(
(defmacro define-getter (name offset)
  (let ((off (intern (format nil "~a-off" name))))
    `(progn
       (eval-when (:compile-toplevel) (defun ,off () ,offset))
       (defmacro ,name (p) (list 'load 'u8 p (,off))))))
(define-getter ttl-of 8)
(defprog p () (ttl-of (ctx data)))
(define-getter proto-of 9)
(defprog q () (proto-of (ctx data)))
)");
  ASSERT_EQ(forms.size(), 2u);
  EXPECT_NE(forms[0].find("(load u8 (ctx data) 8)"), std::string::npos) << forms[0];
  EXPECT_NE(forms[1].find("(load u8 (ctx data) 9)"), std::string::npos) << forms[1];
}

TEST(TopLevel, AMacroDefinedByAnExpansionIsKnownFromThereOn) {
  // The call before the expansion that defines `made` is no macro call: it reaches the
  // checks as an unknown form; the call after it expands.
  std::string message = compile_error(R"(
(defmacro make-it () '(defmacro made () 5))
(defprog p () (made))
(make-it)
)");
  EXPECT_NE(message.find("unknown function or form 'made'"), std::string::npos) << message;
  auto forms = top_level("(defmacro make-it () '(defmacro made () 5)) (make-it) (f (made))");
  EXPECT_EQ(forms, std::vector<std::string>{"(f 5)"});
}

TEST(TopLevel, ProgramsFromAMacroCompileAndRun) {
  auto elf = compile_ok(R"(
(defmacro verdict-prog (name verdict)
  `(progn (defmap ,(intern (format nil "~a-hits" name)) :type :array :key-size 4
                  :value-size 8 :max-entries 1)
          (defprog ,name ()
            (incf (getmap ,(intern (format nil "~a-hits" name)) 0))
            ,verdict)))
(verdict-prog always-drop XDP_DROP)
(progn (verdict-prog always-pass XDP_PASS))
)");
  auto obj = LoadedObject::load(elf, /*load_into_kernel=*/false);
  ASSERT_TRUE(obj.has_value()) << obj.error().str();
  EXPECT_NE(bpf_object__find_program_by_name(obj->get(), "always_drop"), nullptr);
  EXPECT_NE(bpf_object__find_program_by_name(obj->get(), "always_pass"), nullptr);
  EXPECT_NE(bpf_object__find_map_by_name(obj->get(), "always_pass_hits"), nullptr);
}

TEST(TopLevel, TheErrorForAnotherFormListsWhatTheTopLevelHolds) {
  for (const char *source : {"(frob 1)", "(progn (frob 1))", "(defmacro m () '(frob 1)) (m)"}) {
    CompileReport report = compile_source_report(source, "t.lisp");
    ASSERT_FALSE(report.ok()) << source;
    const CompileDiagnostic &d = report.diagnostics[0];
    EXPECT_EQ(d.message, "'frob' is not a top-level form") << source;
    ASSERT_EQ(d.hints.size(), 1u);
    EXPECT_EQ(d.hints[0], "the top level holds defprog, defmap, defstruct, defconstant, "
                          "defmacro, eval-when, progn and in-package, and macro calls that "
                          "expand into them");
  }
  // A form that is accepted elsewhere, but not here, is refused by its own name.
  CompileReport report = compile_source_report("(let ((x 1)) (defprog p () x))", "t.lisp");
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.diagnostics[0].message, "'let' is not a top-level form");
  // defun outside eval-when keeps its own explanation, also from a progn or a macro.
  for (const char *source : {"(progn (defun f () 1))", "(defmacro m () '(defun f () 1)) (m)"})
    EXPECT_NE(compile_error(source).find("defun at top level"), std::string::npos) << source;
}

} // namespace
