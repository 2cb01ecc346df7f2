#include <xdpchain/version.h>

namespace xdpchain {

const char *library_version() {
  return XDPCHAIN_VERSION_STRING;
}

} // namespace xdpchain
