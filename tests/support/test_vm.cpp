#include "tests/support/test_vm.h"

#include <cstdlib>
#include <string>

namespace xdpchain::test {

bool in_test_vm() {
  const char *value = std::getenv("XDPCHAIN_IN_VM");
  return value && std::string(value) == "1";
}

} // namespace xdpchain::test
