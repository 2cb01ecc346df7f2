// Reads a file a user named (an object, a manifest, a .lisp source) in one bounded step:
// only a regular file is read (a FIFO, device, directory or /proc file is refused without
// blocking), and never more than a documented limit. Everything afterwards works on the
// returned bytes, so what was checked or hashed is what gets used.
#pragma once

#include "common/result.h"

#include <cstddef>
#include <string>

namespace xdpchain {

// Limits, documented in docs/protocol.md ("Untrusted input").
inline constexpr size_t kMaxObjectBytes = 64u << 20;   // a BPF ELF object
inline constexpr size_t kMaxManifestBytes = 16u << 20; // a YAML manifest
inline constexpr size_t kMaxSourceBytes = 16u << 20;   // a .lisp source

// `what` names the file in errors ("object", "manifest", "source"). Errors are
// invalid_argument (not a regular file, too large) or not_found / io.
Result<std::string> read_untrusted_file(const std::string &path, size_t max_bytes,
                                        const std::string &what);

// The same limits for a stream that is not a file (`-` for stdin): reads at most
// `max_bytes` from `fd`, refusing more.
Result<std::string> read_untrusted_fd(int fd, size_t max_bytes, const std::string &name,
                                      const std::string &what);

} // namespace xdpchain
