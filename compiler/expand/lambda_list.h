// Lambda lists of macros and compile-time functions: required parameters (or nested
// destructuring lists, for macros), &optional, &rest/&body and &key, with defaults.
#pragma once

#include "compiler/diagnostics.h"
#include "compiler/expand/ct_services.h"

#include <map>
#include <string>
#include <vector>

namespace xdpchain::compiler {

// Checks the shape of a lambda list; false after reporting an error.
bool check_lambda_list(const Datum &params, Diagnostics &diags, int depth = 0);

// Binds `args` to `params` in `env` (defaults are evaluated in `env`, so they see the
// parameters before them). `what` names the callee in messages, e.g. "macro 'm'". False
// after reporting an error.
bool bind_lambda_list(CtServices &ct, const Datum &params, const std::vector<CtValue> &args,
                      const std::string &what, const Span &call, const std::shared_ptr<CtEnv> &env);

} // namespace xdpchain::compiler
