// A refused command line's unknown option answered with the closest one the verb (or the
// command) has, as a mistyped verb is: `--jsn` gives "did you mean '--json'?".
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace xdpchain::cli {

// "did you mean '--NAME'?" for the first `--word` in argv that neither the command nor
// `verb` knows and that is close to one they do; "" otherwise.
std::string suggest_option(CLI::App &app, const std::string &verb, int argc,
                           const char *const *argv);

} // namespace xdpchain::cli
