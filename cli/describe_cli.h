// The command line as data: every visible verb with its positionals and options, read from
// the same CLI11 tree that `--help` prints. The build turns it into the man pages and the
// bash completion (packaging/gen_cli_docs.py), so neither can drift from the code.
#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

namespace xdpchain::cli {

// The hidden verb that prints describe_cli(app): `xdpchain describe-cli`.
inline constexpr const char *kDescribeCliVerb = "describe-cli";

// {"name", "description", "footer", "options": [...], "verbs": [{"name", "description",
//  "footer", "positionals": [...], "options": [...]}]}; an option is {"names", "type",
// "takes_value", "required", "default", "description"}, a positional {"name", "type",
// "required", "description"}.
nlohmann::json describe_cli(const CLI::App &app);

} // namespace xdpchain::cli
