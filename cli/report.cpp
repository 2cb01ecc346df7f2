#include "cli/report.h"

#include "cli/json_output.h"

#include <iostream>

namespace xdpchain::cli {

namespace {

const char *kind_name(ErrorKind kind) {
  switch (kind) {
  case ErrorKind::invalid_argument:
    return "invalid_argument";
  case ErrorKind::not_found:
    return "not_found";
  case ErrorKind::not_supported:
    return "not_supported";
  case ErrorKind::conflict:
    return "conflict";
  case ErrorKind::kernel:
    return "kernel";
  case ErrorKind::io:
    return "io";
  }
  return "unknown";
}

} // namespace

int exit_code_for(ErrorKind kind) {
  switch (kind) {
  case ErrorKind::invalid_argument:
  case ErrorKind::not_found: // an interface, label, program or file the user named
    return kExitUsage;
  case ErrorKind::not_supported:
    return kExitNotSupported;
  case ErrorKind::conflict:
    return kExitConflict;
  default:
    return kExitFailure;
  }
}

nlohmann::json error_json(const Error &error) {
  nlohmann::json out = {{"message", error.str(0)},
                        {"kind", kind_name(error.kind())},
                        {"exit_code", exit_code_for(error.kind())},
                        {"hints", error.hints()}};
  if (!error.verifier_log().empty()) out["verifier_log"] = error.verifier_log();
  return out;
}

int report_error(const Error &error, const GlobalOptions &global) {
  int code = exit_code_for(error.kind());
  if (global.json) {
    nlohmann::json out = json_document();
    out["error"] = error_json(error);
    print_json(out);
    return code;
  }
  std::cerr << "xdpchain: " << error.str(global.verbose ? 1 << 20 : 12) << "\n";
  for (const auto &hint : error.hints())
    std::cerr << "hint: " << hint << "\n";
  return code;
}

int report_message(const std::string &message, int exit_code, const GlobalOptions &global,
                   const std::vector<std::string> &problems) {
  if (global.json) {
    nlohmann::json out = json_document();
    out["error"] = {{"message", message}, {"exit_code", exit_code}};
    if (!problems.empty()) out["error"]["problems"] = problems;
    print_json(out);
    return exit_code;
  }
  for (const auto &problem : problems)
    std::cerr << problem << "\n";
  std::cerr << "xdpchain: " << message << "\n";
  return exit_code;
}

} // namespace xdpchain::cli
