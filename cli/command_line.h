// The `xdpchain` command line as one CLI11 app: global options (--bpffs, --wait, -v, --json,
// --netns), every verb registered in commands(), `help` and `version`. main() parses with it;
// so does the command-line fuzzer, with verbs that do not run.
#pragma once

#include "cli/command_line_scan.h"
#include "cli/command_registry.h"

#include <CLI/CLI.hpp>

#include <functional>
#include <string>

namespace xdpchain::cli {

// Adds everything to `app`. `enter_netns` is what --netns does with its value before the verb
// runs; it throws CLI::ValidationError when the namespace cannot be entered.
void configure_command_line(CLI::App &app, GlobalOptions &global,
                            std::function<void(const std::string &)> enter_netns);

// The exit code when the command line is refused before parsing (an unknown verb, answered
// with the closest one; a verb that needs privileges the caller lacks), or -1 to go on.
int check_verb(const ScannedCommandLine &scanned, const std::vector<Command> &registry,
               const GlobalOptions &global);

} // namespace xdpchain::cli
