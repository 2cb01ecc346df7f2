#include "cli/json_output.h"

#include <iostream>

namespace xdpchain::cli {

nlohmann::json json_document() {
  return {{"schema_version", kJsonSchemaVersion}};
}

void print_json(const nlohmann::json &document) {
  // Names from the command line or from files may not be UTF-8: replaced (U+FFFD), not thrown.
  std::cout << document.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

} // namespace xdpchain::cli
