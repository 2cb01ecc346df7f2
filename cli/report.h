// Turns an Error into the one-line message, hint lines and exit code every verb prints.
#pragma once

#include "cli/command_registry.h"
#include "common/error.h"

namespace xdpchain::cli {

// Prints "xdpchain: <context>: <message>" (plus the verifier log tail, or all of it with
// -v) and "hint: ..." lines to stderr; returns the exit code for the error's kind.
int report_error(const Error &error, const GlobalOptions &global);

} // namespace xdpchain::cli
