// Small pieces the chain verbs share: ChainOptions from the global flags, enum parsing for
// --mode/--backend/--proceed-on, and the JSON and table renderings of a chain's status.
#pragma once

#include "cli/command_registry.h"
#include "dispatcher/chain.h"

#include <nlohmann/json.hpp>

#include <map>
#include <string>

namespace xdpchain::cli {

dispatcher::ChainOptions chain_options(const GlobalOptions &global);

const std::map<std::string, dispatcher::Mode> &mode_names();
const std::map<std::string, dispatcher::Backend> &backend_names();

// "pass,drop" or "XDP_PASS,XDP_DROP"; Error naming the unknown action.
Result<dispatcher::ActionMask> parse_actions(const std::string &list);

nlohmann::json status_json(const dispatcher::ChainStatus &status);
std::string status_table(const dispatcher::ChainStatus &status);
std::string describe_deltas(const dispatcher::ApplyReport &report);

} // namespace xdpchain::cli
