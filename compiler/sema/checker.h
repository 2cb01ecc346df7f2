// Internal to sema/: the per-program checker shared by check_*.cpp.
#pragma once

#include "compiler/diagnostics.h"
#include "compiler/forms/core_forms.h"
#include "compiler/model/program_model.h"

#include <map>
#include <string>
#include <vector>

namespace xdpchain::compiler::sema {

class Checker {
public:
  Checker(const ProgramModel &model, const ProgramDef &program, Diagnostics &diags)
      : model_(model), program_(program), diags_(diags) {}
  void run();

private:
  struct Variable {
    bool addressable = false; // bound by let/let* and its address taken in the body
  };

  // check_forms.cpp: expressions, calls, operands.
  void expr(const Datum &d);
  void body(const std::vector<DatumPtr> &items, size_t from);
  void symbol(const Datum &d);
  void call(const Datum &d);
  void core(const Datum &d, const CoreForm &form);
  void operand(const Datum &form, size_t i, Operand kind, const CoreForm &core);
  void map_key(const Datum &form, const CoreForm &core);
  void helper_call(const Datum &d, const std::string &name, int arg_count);
  bool scalar_type(const Datum &type, const std::string &context);
  bool arity(const Datum &d, size_t min, size_t max, const std::string &usage);

  // check_scopes.cpp: let, let*, declare, dotimes, cond, case, variables.
  void let(const Datum &d, bool sequential);
  void declarations(const Datum &declare);
  void dotimes(const Datum &d);
  void cond_clause(const Datum &clause);
  void case_clause(const Datum &clause);
  const Variable *find_variable(const std::string &name) const;

  // check_places.cpp: setf places and incf/decf on maps.
  void place(const Datum &p);
  void counter_map(const Datum &place, const Datum &form);

  // constant_expr.cpp: whether lowering will know the value when compiling.
  bool is_constant(const Datum &d, int depth = 0) const;

  // Records an error unless the cap is reached (then returns nullptr).
  Diagnostic *error(const Span &span, const std::string &message);

  const ProgramModel &model_;
  const ProgramDef &program_;
  Diagnostics &diags_;
  std::vector<std::map<std::string, Variable>> scopes_;
  int depth_ = 0;
};

} // namespace xdpchain::compiler::sema
