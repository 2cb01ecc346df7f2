#include "cli/json_output.h"

#include <iostream>

namespace xdpchain::cli {

nlohmann::json json_document() {
  return {{"schema_version", kJsonSchemaVersion}};
}

void print_json(const nlohmann::json &document) {
  std::cout << document.dump(2) << "\n";
}

} // namespace xdpchain::cli
