// Small pieces the chain verbs share: ChainOptions from the global flags, enum parsing for
// --mode/--backend/--proceed-on, and the JSON and table renderings of a chain's status.
#pragma once

#include "cli/command_registry.h"
#include "dispatcher/chain.h"
#include "manifests/load.h"

#include <nlohmann/json.hpp>

#include <map>
#include <string>

namespace xdpchain::cli {

dispatcher::ChainOptions chain_options(const GlobalOptions &global);

// --mode: native (also drv, xdp-loader's word) or generic (also skb); hw/offload is refused
// as not supported (exit 3), anything else is bad input (exit 2).
Result<dispatcher::Mode> parse_mode(const std::string &name);
const std::map<std::string, dispatcher::Backend> &backend_names();

// "pass,drop" or "XDP_PASS,XDP_DROP"; Error naming the unknown action.
Result<dispatcher::ActionMask> parse_actions(const std::string &list);

// One chain, in the shape `status --json` lists under "chains" (docs/cli.md).
nlohmann::json status_json(const dispatcher::ChainStatus &status);
// One interface's change: {"interface", "swapped", "deltas": [{"label","change","detail"}]}.
nlohmann::json change_json(const std::string &interface, const dispatcher::ApplyReport &report);
// The table `status` prints; with_maps (`status -v`) adds a line per map of each member.
std::string status_table(const dispatcher::ChainStatus &status, bool with_maps = false);
std::string describe_deltas(const dispatcher::ApplyReport &report);
// What a one-interface change (add, set, remove) prints: with --json the change and the
// chain; else the deltas and, when a chain is left, its table. Returns the exit code (0).
int print_change(const std::string &interface, const dispatcher::ApplyReport &report,
                 const GlobalOptions &global);

// A manifest with problems: every problem (with file:line:column), "N problems; nothing
// changed", exit 2 (as one JSON error with --json).
int report_manifest_problems(const std::string &file, const manifests::LoadedManifest &loaded,
                             const GlobalOptions &global);

} // namespace xdpchain::cli
