#include "agent/problem_text.h"

#include <cctype>

namespace xdpchain::agent {

namespace {

bool plain_word(const std::string &text) {
  if (text.empty() || text.size() > kMaxQuotedChars) return false;
  for (unsigned char c : text)
    if (!std::isalnum(c) && c != '_' && c != '-' && c != '.' && c != '/') return false;
  return true;
}

// A key path such as spec.programs[1].priority: plain words, '[', ']' and digits.
std::string safe_key(const std::string &key) {
  std::string cut = key.substr(0, kMaxQuotedChars);
  for (unsigned char c : cut)
    if (!std::isalnum(c) && c != '_' && c != '-' && c != '.' && c != '[' && c != ']')
      return "(not shown)";
  return key.size() > kMaxQuotedChars ? cut + "..." : cut;
}

// Replaces every '...' part that is not a plain word; a quote left open hides the rest.
std::string safe_message(const std::string &message) {
  std::string out;
  size_t at = 0;
  while (at < message.size()) {
    size_t open = message.find('\'', at);
    if (open == std::string::npos) {
      out += message.substr(at);
      break;
    }
    out += message.substr(at, open - at + 1);
    size_t close = message.find('\'', open + 1);
    std::string quoted =
        message.substr(open + 1, close == std::string::npos ? std::string::npos : close - open - 1);
    out += plain_word(quoted) ? quoted : "(not shown)";
    out += '\'';
    if (close == std::string::npos) break;
    at = close + 1;
  }
  // Anything else that is not printable ASCII goes too (a YAML scalar may hold any byte).
  for (char &c : out)
    if (!std::isprint(static_cast<unsigned char>(c))) c = '?';
  if (out.size() > kMaxProblemMessageChars) out = out.substr(0, kMaxProblemMessageChars) + "...";
  return out;
}

} // namespace

std::string safe_problem_text(const manifests::Diagnostic &diagnostic) {
  manifests::Diagnostic shown = diagnostic;
  shown.key = diagnostic.key.empty() ? "" : safe_key(diagnostic.key);
  shown.message = safe_message(diagnostic.message);
  shown.hint.clear();
  return manifests::format(shown);
}

std::vector<std::string> safe_problem_list(const std::vector<manifests::Diagnostic> &diagnostics) {
  std::vector<std::string> shown;
  for (size_t i = 0; i < diagnostics.size() && i < kMaxProblemsShown; ++i)
    shown.push_back(safe_problem_text(diagnostics[i]));
  if (diagnostics.size() > kMaxProblemsShown) {
    const std::string file = diagnostics.front().file;
    shown.push_back((file.empty() ? "" : file + ": ") + "and " +
                    std::to_string(diagnostics.size() - kMaxProblemsShown) +
                    " more problem(s) not shown");
  }
  return shown;
}

} // namespace xdpchain::agent
