// Turns an Error into the one-line message, hint lines and exit code every verb prints, or
// with --json into {"schema_version": 2, "error": {...}} on standard output.
#pragma once

#include "cli/command_registry.h"
#include "common/error.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace xdpchain::cli {

// Prints "xdpchain: <context>: <message>" (plus the verifier log tail, or all of it with
// -v) and "hint: ..." lines to stderr; returns the exit code for the error's kind.
int report_error(const Error &error, const GlobalOptions &global);

// The `"error"` object --json prints for `error` (report_error prints it in a document of
// its own; verbs that report more beside it build their document with this).
nlohmann::json error_json(const Error &error);

// An error that is already text (command-line errors, manifest problems): prints it (as
// JSON with --json, `problems` as a list) and returns `exit_code`.
int report_message(const std::string &message, int exit_code, const GlobalOptions &global,
                   const std::vector<std::string> &problems = {});

// The exit code for an error of this kind (README.md, docs/cli.md).
int exit_code_for(ErrorKind kind);

} // namespace xdpchain::cli
