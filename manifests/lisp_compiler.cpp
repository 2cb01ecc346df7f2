#include "manifests/lisp_compiler.h"

namespace xdpchain::manifests {

// TODO(issue 5): switch to xdpchain::compiler::compile_file(path) from compiler/compile.h
// once the compiler module lands; until then sources are refused with a clear error.
Result<std::vector<uint8_t>> compile_lisp(const std::string &path) {
  return Error(ErrorKind::not_supported,
               "source '" + path + "': this build has no lisp compiler (compiler/compile.h)")
      .hint("compile it with 'xdpchain compile' and use 'object:' instead");
}

} // namespace xdpchain::manifests
