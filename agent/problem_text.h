// What the agent may say about a manifest's problems. A file in the config dir can be a
// symlink to anything the agent can read (/etc/shadow, a private key), and its problems go
// to the log and to an unauthenticated /metrics endpoint: so a problem quotes nothing of
// the file but its position, a key name and short plain words (cut to a bounded length),
// and a file's problems are capped.
#pragma once

#include "manifests/diagnostic.h"

#include <cstddef>
#include <string>
#include <vector>

namespace xdpchain::agent {

inline constexpr size_t kMaxProblemsShown = 10; // per file, in the log and /metrics
inline constexpr size_t kMaxQuotedChars = 48;   // a key or quoted word, longer is cut
inline constexpr size_t kMaxProblemMessageChars = 160;

// "file:line:column: key 'k': message" with every quoted part of the message that is not
// a plain word (letters, digits, '_', '-', '.', '/', at most kMaxQuotedChars) replaced by
// '(not shown)', and the key cut the same way. The hint is left out.
std::string safe_problem_text(const manifests::Diagnostic &diagnostic);

// The shown problems of a file: at most kMaxProblemsShown, then one line saying how many
// more there were.
std::vector<std::string> safe_problem_list(const std::vector<manifests::Diagnostic> &diagnostics);

} // namespace xdpchain::agent
