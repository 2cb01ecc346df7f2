// The compile-time interpreter: evaluates macro bodies and the helper functions defined in
// `(eval-when (:compile-toplevel) (defun ...))`. It runs a small, closed subset of Lisp
// (docs/language.md, "Compile-time evaluation"): let/let*, if/when/unless/cond/case, progn,
// and/or, quasiquote, lambda/flet/funcall/mapcar, list operations, integer arithmetic,
// format nil, intern, gensym and calls of other macros. Every evaluation runs under a
// budget (steps, nesting, list cells built, output size); exceeding it is an error that
// names the chain of macro calls being expanded, never a hang or a crash.
#pragma once

#include "compiler/diagnostics.h"
#include "compiler/expand/ct_value.h"
#include "compiler/expand/macro.h"

#include <map>
#include <string>
#include <vector>

namespace xdpchain::compiler {

struct CtLimits {
  size_t max_steps = 2'000'000; // evaluated forms, over the whole compilation
  int max_depth = 600;          // nesting of evaluation (recursion of helper functions)
  size_t max_cells = 8'000'000; // list elements built, over the whole compilation
  size_t max_output = 200'000;  // nodes in the expansion of one macro call
  int max_macro_nesting = 64;   // macro calls expanding into macro calls
};

class CtInterpreter {
public:
  explicit CtInterpreter(Diagnostics &diags, CtLimits limits = {});
  ~CtInterpreter();
  CtInterpreter(const CtInterpreter &) = delete;
  CtInterpreter &operator=(const CtInterpreter &) = delete;

  void define_macro(MacroDef macro);
  const MacroDef *find_macro(const std::string &name) const;
  // `(defun NAME (PARAMS...) BODY...)` inside eval-when; false after reporting an error.
  bool define_function(const Datum &defun);

  // Expands one call of `macro`: binds the call's arguments to its parameters and evaluates
  // its body. Returns nullptr after reporting an error.
  DatumPtr expand_macro(const MacroDef &macro, const Datum &call);

  // The macro calls being expanded, outermost first. The expander pushes a call while it
  // expands that call's output, so nested expansions report the whole chain.
  class CallScope {
  public:
    CallScope(CtInterpreter &ct, const std::string &macro, const Span &at);
    ~CallScope();
    CallScope(const CallScope &) = delete;
    CallScope &operator=(const CallScope &) = delete;
    bool too_deep() const { return too_deep_; }

  private:
    CtInterpreter &ct_;
    bool too_deep_;
  };

  // Reports an error with one note per macro call in the chain.
  Diagnostic &error(const Span &at, std::string message);
  const CtLimits &limits() const { return limits_; }

private:
  friend class CtEvaluator;
  struct ChainEntry {
    std::string macro;
    Span at;
  };

  Diagnostics &diags_;
  CtLimits limits_;
  std::map<std::string, MacroDef> macros_;
  std::map<std::string, CtFunctionPtr> functions_; // eval-when defuns
  std::vector<ChainEntry> chain_;
  size_t steps_ = 0;
  size_t cells_ = 0;
  uint64_t gensyms_ = 0;
};

} // namespace xdpchain::compiler
