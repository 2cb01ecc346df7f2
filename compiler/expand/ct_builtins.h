// The compile-time built-in functions (list operations, integer arithmetic, predicates,
// format/intern/gensym, funcall/apply/mapcar), looked up by name.
#pragma once

#include "compiler/expand/ct_services.h"

#include <string>
#include <vector>

namespace xdpchain::compiler {

using CtBuiltinFn = CtValue (*)(CtServices &ct, const std::vector<CtValue> &args,
                                const Datum &call);

struct CtBuiltinDef {
  const char *name;
  int min_args;
  int max_args;         // -1: any number
  bool takes_functions; // otherwise every argument must be data
  CtBuiltinFn fn;
};

const CtBuiltinDef *find_ct_builtin(const std::string &name);
// All built-ins, for documentation tests.
const std::vector<CtBuiltinDef> &ct_builtins();

} // namespace xdpchain::compiler
