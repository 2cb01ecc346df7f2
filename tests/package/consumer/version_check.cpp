// Prints the xdpchain version the headers and the loaded library report; exit 1 if they
// differ.
#include <xdpchain/version.h>

#include <cstdio>
#include <cstring>

int main() {
  std::printf("headers %s, library %s\n", XDPCHAIN_VERSION_STRING, xdpchain::library_version());
  static_assert(XDPCHAIN_VERSION_NUMBER > 0);
  return std::strcmp(XDPCHAIN_VERSION_STRING, xdpchain::library_version()) == 0 ? 0 : 1;
}
