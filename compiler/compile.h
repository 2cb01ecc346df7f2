// The compiler's entry points: a .lisp program (docs/language.md) to a BPF ELF object in
// memory, without clang.
#pragma once

#include "common/result.h"

#include <cstdint>
#include <string>
#include <vector>

namespace xdpchain::compiler {

struct CompileOptions {
  // Runs ir::verify() after every IR pass (cheap; on by default).
  bool verify_ir = true;
};

// Compiles a .lisp file to a BPF ELF object in memory. On error returns
// Error(ErrorKind::invalid_argument, <formatted diagnostics: file:line:col: message, the
// source line, a caret>).
Result<std::vector<uint8_t>> compile_file(const std::string &path,
                                          const CompileOptions &options = {});
Result<std::vector<uint8_t>> compile_source(const std::string &source, const std::string &file_name,
                                            const CompileOptions &options = {});

} // namespace xdpchain::compiler
