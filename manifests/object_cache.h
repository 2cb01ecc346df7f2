// Content-addressed store for objects compiled from `source:` files: the same bytes always
// land at the same path, so applying an unchanged source again changes nothing.
#pragma once

#include "common/result.h"

#include <cstdint>
#include <string>
#include <vector>

namespace xdpchain::manifests {

// $XDPCHAIN_OBJECT_CACHE when set, else /run/xdpchain/objects.
std::string default_object_cache();

// Writes `bytes` to <dir>/<hash>-<size>.o (creating dir) unless that file already holds
// them; returns the path. The write goes through a temporary file and a rename.
Result<std::string> store_object(const std::vector<uint8_t> &bytes, const std::string &dir);

// For read-only verbs (`diff`): the path in `dir` when it already holds `bytes`, else the
// bytes are stored in `staging` (a directory the caller removes) and that path returned.
// Nothing is written to `dir`.
Result<std::string> find_object(const std::vector<uint8_t> &bytes, const std::string &dir,
                                const std::string &staging);

} // namespace xdpchain::manifests
