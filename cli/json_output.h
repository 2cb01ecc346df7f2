// The one JSON shape every verb prints with --json/-j (docs/cli.md): an object carrying
// "schema_version", plus the verb's fields ("chains", "changes", "error", ...).
#pragma once

#include <nlohmann/json.hpp>

namespace xdpchain::cli {

// Bumped when a field changes meaning or goes away; new fields do not bump it.
inline constexpr int kJsonSchemaVersion = 2;

// {"schema_version": kJsonSchemaVersion}, to add the verb's fields to.
nlohmann::json json_document();

// Prints `document` indented, on standard output.
void print_json(const nlohmann::json &document);

} // namespace xdpchain::cli
