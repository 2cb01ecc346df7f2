// What the compile-time built-in functions and lambda-list binding need from the
// interpreter: error reports (with the macro call chain), list construction under the
// cell budget, function calls and evaluation of default values.
#pragma once

#include "compiler/expand/ct_value.h"

#include <string>
#include <vector>

namespace xdpchain::compiler {

class CtServices {
public:
  virtual ~CtServices() = default;
  // Reports an error and returns a failed value.
  virtual CtValue fail(const Span &at, std::string message) = 0;
  // A list built by evaluation; nullptr once the cell budget is spent (error reported).
  virtual DatumPtr make_list(std::vector<DatumPtr> items, const Span &at) = 0;
  // A datum created at `at`, placed at the current macro call site.
  virtual Span here(const Span &at) const = 0;
  virtual CtValue call(const CtValue &function, std::vector<CtValue> args, const Span &at) = 0;
  virtual CtValue eval(const DatumPtr &form, const CtEnvPtr &env) = 0;
  virtual std::string gensym_name(const std::string &prefix) = 0;
};

} // namespace xdpchain::compiler
