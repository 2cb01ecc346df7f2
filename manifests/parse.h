// parse(): YAML text to plain ChainManifest structs, one per document. Only YAML syntax
// can fail here; everything the schema says (keys, types, values) is validate()'s job.
#pragma once

#include "common/result.h"
#include "manifests/manifest.h"

#include <string>

namespace xdpchain::manifests {

// Reads and parses `path` ("-": standard input, named "<stdin>"). Errors: the file cannot be read (io/not_found), or YAML syntax
// ("file:line:column: yaml: <what>", invalid_argument). Empty documents are skipped.
Result<ManifestFile> parse_file(const std::string &path);

// Parses `text` as if it were the file `path` (used for positions and relative paths).
Result<ManifestFile> parse_string(const std::string &text, const std::string &path = "<string>");

} // namespace xdpchain::manifests
