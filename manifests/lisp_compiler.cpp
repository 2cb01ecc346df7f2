#include "manifests/lisp_compiler.h"

#include "compiler/compile.h"

namespace xdpchain::manifests {

Result<std::vector<uint8_t>> compile_lisp(const std::string &path) {
  return compiler::compile_file(path);
}

} // namespace xdpchain::manifests
