#include "cli/command_registry.h"

namespace xdpchain::cli {

std::vector<Command> &commands() {
  static std::vector<Command> registry;
  return registry;
}

} // namespace xdpchain::cli
