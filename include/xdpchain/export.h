// Public API (docs/library.md): what libxdpchain.so exports. The library is compiled with
// hidden visibility, so only declarations marked XDPCHAIN_API (and the version script
// library/libxdpchain.map) reach the dynamic symbol table; everything else stays inside.
#pragma once

#define XDPCHAIN_API __attribute__((visibility("default")))
