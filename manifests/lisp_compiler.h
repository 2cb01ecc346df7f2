// The one place manifests/ reaches the compiler: `source: x.lisp` to BPF ELF bytes.
#pragma once

#include "common/result.h"

#include <cstdint>
#include <string>
#include <vector>

namespace xdpchain::manifests {

Result<std::vector<uint8_t>> compile_lisp(const std::string &path);

} // namespace xdpchain::manifests
