// Values of compile-time evaluation (macro bodies and eval-when helper functions): data,
// which is the reader's datums (integers, symbols, keywords, strings, proper lists), or
// functions (lambda, #'name, flet, defun). `nil` and `()` are both the empty list.
#pragma once

#include "compiler/reader/datum.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace xdpchain::compiler {

struct CtFunction;
struct CtEnv;
struct CtBuiltinDef;
using CtFunctionPtr = std::shared_ptr<const CtFunction>;
using CtEnvPtr = std::shared_ptr<const CtEnv>;

// One value: exactly one of `datum` and `function` is set; neither means "failed, the
// error is already reported".
struct CtValue {
  DatumPtr datum;
  CtFunctionPtr function;

  static CtValue of(DatumPtr d) { return CtValue{std::move(d), nullptr}; }
  static CtValue of(CtFunctionPtr f) { return CtValue{nullptr, std::move(f)}; }
  bool ok() const { return datum || function; }
};

struct CtFunction {
  std::string name;                      // for messages; "lambda" for anonymous ones
  DatumPtr params;                       // lambda list
  std::vector<DatumPtr> body;            // evaluated as a progn
  CtEnvPtr closure;                      // variables and local functions it sees
  const CtBuiltinDef *builtin = nullptr; // set for #'car and friends instead of a body
};

// A lexical environment. Closures capture a flattened copy (snapshot), so environments
// never reference themselves and are freed by reference counting.
struct CtEnv {
  std::map<std::string, CtValue> variables;
  std::map<std::string, CtFunctionPtr> functions;
  CtEnvPtr parent;

  const CtValue *find_variable(const std::string &name) const;
  CtFunctionPtr find_function(const std::string &name) const;
};

// Every variable and local function visible from `env`, in one environment.
CtEnvPtr snapshot(const CtEnvPtr &env);

// nil or ().
bool ct_null(const Datum &d);
// Anything but nil and ().
inline bool ct_true(const Datum &d) {
  return !ct_null(d);
}
// Structural equality (eq, eql and equal are the same on these values).
bool ct_equal(const Datum &a, const Datum &b);
// Printing bounded to about `limit` characters (values may share structure and be huge).
std::string ct_print(const Datum &d, size_t limit = 200);
// ~a: strings without quotes, symbols by name, integers in decimal.
std::string ct_princ(const Datum &d, size_t limit = 4096);

} // namespace xdpchain::compiler
