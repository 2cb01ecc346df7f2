// The compile-time interpreter: macro bodies that compute their expansion, helper
// functions from eval-when and flet, gensym, format/intern, and the budgets that stop
// runaway expansion with the macro call chain.
#include "compiler/expand/ct_eval.h"
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
  e->file = std::make_unique<SourceFile>("ct.lisp", text);
  auto forms = run_reader(*e->file, e->diags);
  e->forms = run_macro_expansion(forms, e->diags);
  return e;
}

// The expansion of the last form.
std::string last(const std::string &text) {
  auto e = expand(text);
  EXPECT_FALSE(e->diags.has_errors()) << e->diags.format();
  return e->forms.empty() ? "" : to_string(*e->forms.back());
}

// The value of EXPR evaluated at compile time, quoted back into code.
std::string value(const std::string &expr) {
  return last("(defmacro v () (list 'quote " + expr + ")) (v)");
}

std::string first_error(const std::string &text) {
  auto e = expand(text);
  EXPECT_TRUE(e->diags.has_errors()) << text;
  return e->diags.has_errors() ? e->diags.errors()[0].message : "";
}

TEST(CompileTime, ListOperations) {
  EXPECT_EQ(value("(list 1 'a :k \"s\")"), "(quote (1 a :k \"s\"))");
  EXPECT_EQ(value("(cons 1 '(2 3))"), "(quote (1 2 3))");
  EXPECT_EQ(value("(list (car '(1 2)) (cdr '(1 2 3)) (first '(4)) (rest '(4 5)))"),
            "(quote (1 (2 3) 4 (5)))");
  EXPECT_EQ(value("(list (second '(1 2 3)) (third '(1 2 3)) (nth 1 '(a b)) (nth 5 '(a b)))"),
            "(quote (2 3 b nil))");
  EXPECT_EQ(value("(append '(1) nil '(2 3) '())"), "(quote (1 2 3))");
  EXPECT_EQ(value("(reverse '(1 2 3))"), "(quote (3 2 1))");
  EXPECT_EQ(value("(list (length '(1 2 3)) (length nil) (length \"abcd\"))"), "(quote (3 0 4))");
  EXPECT_EQ(value("(mapcar (lambda (x) (* x x)) '(1 2 3))"), "(quote (1 4 9))");
  EXPECT_EQ(value("(mapcar #'+ '(1 2 3) '(10 20))"), "(quote (11 22))");
  EXPECT_EQ(value("(mapcar #'second '((a 1) (b 2)))"), "(quote (1 2))");
  EXPECT_EQ(value("(list (null nil) (null '()) (null 0) (listp nil) (listp 1) (symbolp 'a) "
                  "(numberp 1) (numberp 'a))"),
            "(quote (t t nil t nil t t nil))");
  EXPECT_EQ(value("(list (assoc 'b '((a 1) (b 2))) (member 2 '(1 2 3)) (equal '(1 (2)) '(1 (2))))"),
            "(quote ((b 2) (2 3) t))");
  EXPECT_EQ(value("(car nil)"), "(quote nil)");
}

TEST(CompileTime, IntegerArithmeticAndComparisons) {
  EXPECT_EQ(value("(list (+ 1 2 3) (- 10 4) (- 5) (* 2 3 4) (/ 7 2) (/ -7 2) (mod -7 2) "
                  "(rem -7 2))"),
            "(quote (6 6 -5 24 3 -3 1 -1))");
  EXPECT_EQ(value("(list (ash 1 4) (ash 256 -4) (logand #xff0 #x0ff) (logior 1 2) (logxor 3 1) "
                  "(1+ 1) (1- 1) (min 3 1 2) (max 3 1 2))"),
            "(quote (16 16 240 3 2 2 0 1 3))");
  EXPECT_EQ(value("(list (< 1 2 3) (< 1 3 2) (= 2 2) (/= 1 2) (>= 3 3 1) (zerop 0))"),
            "(quote (t nil t t t t))");
  EXPECT_EQ(value("(* #x7fffffffffffffff 2)"), "(quote -2)"); // wraps like the machine
}

TEST(CompileTime, ControlForms) {
  EXPECT_EQ(value("(let ((a 1) (b 2)) (let* ((a 10) (c (+ a b))) c))"), "(quote 12)");
  EXPECT_EQ(value("(let ((a 1)) (let ((a 10) (c a)) c))"), "(quote 1)"); // let is parallel
  EXPECT_EQ(value("(if nil 1 2)"), "(quote 2)");
  EXPECT_EQ(value("(list (when t 1) (when nil 1) (unless nil 2))"), "(quote (1 nil 2))");
  EXPECT_EQ(value("(cond ((= 1 2) 'a) ((= 1 1) 'b) (t 'c))"), "(quote b)");
  EXPECT_EQ(value("(case 3 (1 'one) ((2 3) 'few) (otherwise 'many))"), "(quote few)");
  EXPECT_EQ(value("(case 'tcp (udp 1) (tcp 2))"), "(quote 2)");
  EXPECT_EQ(value("(progn 1 2 3)"), "(quote 3)");
  EXPECT_EQ(value("(list (and 1 2) (and 1 nil) (or nil 3) (or))"), "(quote (2 nil 3 nil))");
  EXPECT_EQ(value("(flet ((sq (x) (* x x))) (sq 7))"), "(quote 49)");
  EXPECT_EQ(value("(let ((k 3)) (funcall (lambda (x) (+ x k)) 4))"), "(quote 7)");
  EXPECT_EQ(value("(apply #'+ 1 2 '(3 4))"), "(quote 10)");
}

TEST(CompileTime, FormatInternAndSymbolName) {
  EXPECT_EQ(value("(format nil \"~a-~d/~A\" 'tcp 42 \"x\")"), "(quote \"tcp-42/x\")");
  EXPECT_EQ(value("(intern (format nil \"~a-PTR\" 'flow))"), "(quote flow-ptr)");
  EXPECT_EQ(value("(symbol-name 'abc)"), "(quote \"abc\")");
  EXPECT_EQ(value("(intern \":key\")"), "(quote :key)");
}

TEST(CompileTime, GensymsAreUniqueAndCannotCollideWithUserNames) {
  std::string out = last("(defmacro two () (let ((a (gensym \"T\")) (b (gensym \"T\"))) "
                         "`(let ((,a 1) (,b 2)) (+ ,a ,b)))) (two)");
  EXPECT_EQ(out, "(let ((#:t1 1) (#:t2 2)) (+ #:t1 #:t2))");
  // The reader turns #:t1 into the plain name t1, so a user's t1 is a different variable.
  auto e = expand("(defmacro m (x) (let ((g (gensym \"T\"))) `(let ((,g ,x)) (+ ,g t1)))) "
                  "(let ((t1 5)) (m t1))");
  ASSERT_FALSE(e->diags.has_errors()) << e->diags.format();
  EXPECT_EQ(to_string(*e->forms[0]), "(let ((t1 5)) (let ((#:t1 t1)) (+ #:t1 t1)))");
}

// The issue's example: a hygienic macro computing its expansion with gensym.
TEST(CompileTime, CsumFixupMacro) {
  std::string out = last(R"(
(defmacro csum-fixup (ptr off old new)
  (let ((c (gensym "CSUM")))
    `(let ((,c (load u16 ,ptr ,off)))
       (setf ,c (logand (logxor ,c #xffff) #xffff))
       (store u16 ,ptr ,off ,c))))
(csum-fixup ip 10 a b))");
  EXPECT_EQ(out, "(let ((#:csum1 (load u16 ip 10))) (setf #:csum1 (logand (logxor #:csum1 "
                 "65535) 65535)) (store u16 ip 10 #:csum1))");
}

TEST(CompileTime, HelperFunctionsFromEvalWhenAndOtherMacros) {
  std::string out = last(R"(
(eval-when (:compile-toplevel :load-toplevel :execute)
  (defun field-name (struct field) (intern (format nil "~a-~a" struct field)))
  (defun sum-to (n) (if (= n 0) 0 (+ n (sum-to (- n 1))))))
(defmacro accessors (struct &rest fields)
  `(list ,@(mapcar (lambda (f) `(,(field-name struct f) p)) fields)))
(defmacro consts () `(f ,(sum-to 10)))
(defmacro twice (x) `(* 2 ,x))
(defmacro uses-macro () (list 'quote (twice 21)))
(list (accessors flow src dst) (consts) (uses-macro)))");
  auto e = expand(R"(
(eval-when (:compile-toplevel)
  (defun field-name (struct field) (intern (format nil "~a-~a" struct field))))
(defmacro accessors (struct &rest fields)
  `(list ,@(mapcar (lambda (f) `(,(field-name struct f) p)) fields)))
(defmacro sum-to (n) (if (= n 0) 0 `(+ ,n (sum-to ,(- n 1)))))
(defmacro twice (x) `(* 2 ,x))
(defmacro uses-macro () (list 'quote (twice 21)))
(accessors flow src dst)
(sum-to 3)
(uses-macro))");
  ASSERT_FALSE(e->diags.has_errors()) << e->diags.format();
  ASSERT_EQ(e->forms.size(), 3u);
  EXPECT_EQ(to_string(*e->forms[0]), "(list (flow-src p) (flow-dst p))");
  EXPECT_EQ(to_string(*e->forms[1]), "(+ 3 (+ 2 (+ 1 0)))");
  EXPECT_EQ(to_string(*e->forms[2]), "(quote 42)");
  EXPECT_EQ(out, "(list (list (flow-src p) (flow-dst p)) (f 55) (quote 42))");
}

TEST(CompileTime, TemplateMacrosAndNestedBackquotes) {
  EXPECT_EQ(last("(defmacro m (x &body b) \"doc\" `(when ,x ,@b)) (m c 1 2)"), "(when c 1 2)");
  EXPECT_EQ(value("(let ((x 1)) `(a `(b ,(c ,x))))"),
            "(quote (a (quasiquote (b (unquote (c 1))))))");
  // &optional defaults are evaluated and see earlier parameters.
  EXPECT_EQ(last("(defmacro m (a &optional (b (* a 2))) `(+ ,a ,b)) (m 3)"), "(+ 3 6)");
}

TEST(CompileTime, ExpandedSpansPointAtTheCallSite) {
  auto e = expand("(defmacro m (x)\n (let ((g (gensym)))\n `(let ((,g ,x)) ,g)))\n(m 5)");
  ASSERT_FALSE(e->diags.has_errors()) << e->diags.format();
  const Datum &let = *e->forms[0];
  ASSERT_TRUE(let.span.expanded_from);
  EXPECT_EQ(let.span.expanded_from->line(), 4u);
  const Datum &gensym = *let[1]->items[0]->items[0];
  ASSERT_TRUE(gensym.span.expanded_from);
  EXPECT_EQ(gensym.span.expanded_from->line(), 4u);
  EXPECT_EQ(let[1]->items[0]->items[1]->span.line(), 4u); // the argument keeps its position
}

struct CtError {
  const char *text;
  const char *message;
};

class CompileTimeErrors : public ::testing::TestWithParam<CtError> {};

TEST_P(CompileTimeErrors, AreReportedClearly) {
  std::string message = first_error(GetParam().text);
  EXPECT_NE(message.find(GetParam().message), std::string::npos) << message;
}

INSTANTIATE_TEST_SUITE_P(
    All, CompileTimeErrors,
    ::testing::Values(
        CtError{"(defmacro m () (car 1)) (m)", "car: expected a list, got '1'"},
        CtError{"(defmacro m () (+ 1 'a)) (m)", "+: expected an integer, got 'a'"},
        CtError{"(defmacro m () (/ 1 0)) (m)", "/: division by zero"},
        CtError{"(defmacro m () (cons 1 2)) (m)", "dotted pairs are not supported"},
        CtError{"(defmacro m () (format t \"x\")) (m)", "only (format nil ...)"},
        CtError{"(defmacro m () (format nil \"~s\" 1)) (m)", "unsupported directive '~s'"},
        CtError{"(defmacro m () (car)) (m)", "car: expected 1 argument, got 0"},
        CtError{"(defmacro m () (frob 1)) (m)", "'frob' is not a compile-time function"},
        CtError{"(defmacro m () (error \"bad field ~a\" 'x)) (m)", "bad field x"},
        CtError{"(defmacro m () (lambda (x) x)) (m)", "expanded into a function"},
        CtError{"(defmacro m () (funcall 1)) (m)", "'1' is not a function"},
        CtError{"(eval-when (:execute) (defun f () 1))", "eval-when: expected"},
        CtError{"(eval-when (:compile-toplevel) (defun car (x) x))", "built-in compile-time"},
        CtError{"(eval-when (:compile-toplevel) (defun f (x) (f x))) (defmacro m () (f 1)) (m)",
                "nested more than"},
        CtError{"(eval-when (:compile-toplevel) (defun f (n) (if (= n 0) 0 (f (- n 1))))) "
                "(defmacro m () (f 100000)) (m)",
                "nested more than"},
        CtError{"(eval-when (:compile-toplevel) (defun f (x) (f (append x x)))) "
                "(defmacro m () (f '(1))) (m)",
                "list cells"},
        CtError{"(eval-when (:compile-toplevel) (defun f (x n) (if (= n 0) x (f (list x x) (- n "
                "1))))) (defmacro m () (f 1 40)) (m)",
                "expanded into more than"}));

// Runaway expansion names the chain of macro calls, innermost first.
TEST(CompileTime, RunawayExpansionReportsTheMacroCallChain) {
  auto e = expand("(defmacro a (n) `(b ,n))\n(defmacro b (n) (if (> n 0) `(a ,(- n 1)) (car n)))\n"
                  "(a 3)");
  ASSERT_TRUE(e->diags.has_errors());
  const Diagnostic &d = e->diags.errors()[0];
  EXPECT_NE(d.message.find("car: expected a list"), std::string::npos) << d.message;
  ASSERT_EQ(d.notes.size(), 8u) << e->diags.format();
  EXPECT_EQ(d.notes.front().message, "in the expansion of macro 'b'");
  EXPECT_EQ(d.notes.back().message, "in the expansion of macro 'a'");
  EXPECT_EQ(d.notes.back().span.line(), 3u);

  auto loop = expand("(defmacro m (x) `(m (+ ,x 1)))\n(m 0)");
  ASSERT_TRUE(loop->diags.has_errors());
  EXPECT_NE(loop->diags.errors()[0].message.find("nested more than 64 deep"), std::string::npos);
  std::string text = loop->diags.format();
  EXPECT_NE(text.find("in the expansion of macro 'm'"), std::string::npos) << text;
  EXPECT_NE(text.find("more macro calls"), std::string::npos) << text;
}

TEST(CompileTime, StepBudgetStopsEndlessEvaluation) {
  std::string message = first_error(
      "(eval-when (:compile-toplevel) (defun f (n) (if (= n 0) 0 (+ (f (- n 1)) (f (- n 1))))))"
      "(defmacro m () (f 60)) (m)");
  EXPECT_NE(message.find("steps"), std::string::npos) << message;
}

} // namespace
