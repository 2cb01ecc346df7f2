// Content-addressed store for objects compiled from `source:` files: the same bytes from the
// same source always land at the same path, so applying an unchanged source again changes
// nothing. Each object remembers its source (<object>.source), so `export` names the source
// a member came from rather than the cache.
#pragma once

#include "common/result.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace xdpchain::compiler {

// $XDPCHAIN_OBJECT_CACHE when set, else /run/xdpchain/objects.
std::string default_object_cache();

// Writes `bytes` to <dir>/<hash>-<size>[-<source hash>].o (creating dir) unless that file
// already holds them; returns the path. `source` is the absolute path of the file the bytes
// were compiled from (empty: none); it is part of the name and is written to <path>.source
// first. Writes go through a temporary file and a rename.
Result<std::string> store_object(const std::vector<uint8_t> &bytes, const std::string &dir,
                                 const std::string &source = {});

// For read-only verbs (`diff`): the path in `dir` when it already holds `bytes` (from
// `source`), else they are stored in `staging` (a directory the caller removes) and that
// path returned. Nothing is written to `dir`.
Result<std::string> find_object(const std::vector<uint8_t> &bytes, const std::string &dir,
                                const std::string &staging, const std::string &source = {});

// The source file an object of the default cache was compiled from; nullopt for any other
// object (outside the cache, or stored without a source).
std::optional<std::string> cached_object_source(const std::string &object_path);

} // namespace xdpchain::compiler
