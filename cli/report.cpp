#include "cli/report.h"

#include <iostream>

namespace xdpchain::cli {

int report_error(const Error &error, const GlobalOptions &global) {
  std::cerr << "xdpchain: " << error.str(global.verbose ? 1 << 20 : 12) << "\n";
  for (const auto &hint : error.hints())
    std::cerr << "hint: " << hint << "\n";
  switch (error.kind()) {
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

} // namespace xdpchain::cli
