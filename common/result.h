// Result<T> and Status are public (include/xdpchain/result.h); XDPC_TRY is for the
// library's own code.
#pragma once

#include <xdpchain/result.h>

// Propagates an error from an expression returning Result<...>, adding no context.
#define XDPC_TRY(expr)                                                                             \
  do {                                                                                             \
    auto xdpc_try_result_ = (expr);                                                                \
    if (!xdpc_try_result_) return std::move(xdpc_try_result_).error();                             \
  } while (0)
