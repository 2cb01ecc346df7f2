// The compiler's entry points: a .lisp program (docs/language.md) to a BPF ELF object in
// memory, without clang.
#pragma once

#include "common/result.h"

#include <cstdint>
#include <string>
#include <vector>

namespace xdpchain::compiler {

// One error as plain data. `code` names its kind and does not change with the wording:
//   syntax          the reader (parentheses, integers, #-syntax)
//   macro           macro expansion: defmacro and eval-when shapes, shorthand forms
//   compile-time    a macro call's arguments and the evaluation of its body (wrong types,
//                   unknown functions, (error ...))
//   expansion-limit runaway expansion: step, nesting, list-cell, output or call budgets
//   constant        defconstant and constant folding
//   definition      defstruct, defmap, defprog and the top level
//   semantic        program bodies, checked before lowering (compiler/sema/): arity,
//                   unbound and duplicate variables, unknown forms, maps, helpers and
//                   context fields, operands of the wrong kind, missing constants
//   lowering        what only lowering can see: stack space, offsets out of range,
//                   division by a computed zero, constant addresses
//   backend         register allocation and program size limits
//   internal        a compiler bug
struct DiagnosticNote {
  std::string file;
  uint32_t line = 0;   // 1-based; 0 when the note has no position
  uint32_t column = 0; // 1-based
  std::string message;
};

struct CompileDiagnostic {
  std::string code;
  std::string file;
  uint32_t line = 0;
  uint32_t column = 0;
  std::string message;
  std::vector<DiagnosticNote> notes; // macro call sites ("expanded from ..."), then others
  std::vector<std::string> hints;
};

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

// The same, with the errors as data: `object` is empty exactly when `diagnostics` is not.
// `formatted` is the text compile_source() would return (what the CLI prints).
struct CompileReport {
  std::vector<uint8_t> object;
  std::vector<CompileDiagnostic> diagnostics;
  std::string formatted;
  bool ok() const { return diagnostics.empty(); }
};
CompileReport compile_source_report(const std::string &source, const std::string &file_name,
                                    const CompileOptions &options = {});

} // namespace xdpchain::compiler
