#include "manifests/diagnostic.h"

namespace xdpchain::manifests {

std::string format(const Diagnostic &diagnostic) {
  std::string out = diagnostic.file;
  if (diagnostic.mark.line > 0)
    out +=
        ":" + std::to_string(diagnostic.mark.line) + ":" + std::to_string(diagnostic.mark.column);
  if (!out.empty()) out += ": ";
  if (!diagnostic.key.empty()) out += "key '" + diagnostic.key + "': ";
  out += diagnostic.message;
  return out;
}

std::string format_all(const std::vector<Diagnostic> &diagnostics) {
  std::string out;
  for (const auto &diagnostic : diagnostics) {
    out += format(diagnostic) + "\n";
    if (!diagnostic.hint.empty()) out += "  hint: " + diagnostic.hint + "\n";
  }
  return out;
}

Error to_error(const std::vector<Diagnostic> &diagnostics) {
  std::string text;
  for (const auto &diagnostic : diagnostics) {
    if (!text.empty()) text += "\n";
    text += format(diagnostic);
  }
  Error error(ErrorKind::invalid_argument, text.empty() ? "manifest has errors" : text);
  for (const auto &diagnostic : diagnostics)
    if (!diagnostic.hint.empty()) error.hint(diagnostic.hint);
  return error;
}

} // namespace xdpchain::manifests
