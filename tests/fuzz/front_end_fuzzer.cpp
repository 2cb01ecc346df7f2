// libFuzzer target for the reader and the whole front end (macros, constants,
// definitions, the semantic check, lowering, IR verification), and, when the front end
// accepts the input, the back end too. Lowering relies on the semantic check: an input
// the check lets through but lowering finds wrong ("the semantic check missed it") is a
// bug, and the fuzzer stops on it like on a crash. Each input is also evaluated as a macro body, so
// the compile-time interpreter (compiler/expand/ct_eval.h) sees arbitrary expressions, not only the
// macros of whole programs. Built by tests/fuzz/run.sh with clang++ -fsanitize=fuzzer,address.
#include "compiler/expand/macro_expand.h"
#include "compiler/pipeline.h"
#include "compiler/reader/reader.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 16 * 1024) return 0;
  std::string text(reinterpret_cast<const char *>(data), size);
  auto source = std::make_shared<const xdpchain::compiler::SourceFile>("fuzz.lisp", text);
  xdpchain::compiler::Diagnostics reader_diags;
  xdpchain::compiler::run_reader(*source, reader_diags);
  xdpchain::compiler::Diagnostics diags;
  if (xdpchain::compiler::run_front_end(*source, diags)) {
    auto object = xdpchain::compiler::run_pipeline(source, {});
    (void)object;
  } else {
    (void)diags.format();
  }
  for (const auto &d : diags.errors())
    if (d.code == "internal" && d.message.find("semantic check missed") != std::string::npos) {
      fprintf(stderr, "%s", diags.format().c_str());
      __builtin_trap();
    }
  // The input as the body of a macro, expanded once: compile-time evaluation only.
  auto as_body = std::make_shared<const xdpchain::compiler::SourceFile>(
      "fuzz-body.lisp", "(defmacro fuzz-body () " + text + "\n)\n(fuzz-body)");
  xdpchain::compiler::Diagnostics body_diags;
  auto forms = xdpchain::compiler::run_reader(*as_body, body_diags);
  if (!body_diags.has_errors()) {
    auto expanded = xdpchain::compiler::run_macro_expansion(forms, body_diags);
    for (const auto &form : expanded)
      (void)xdpchain::compiler::to_string(*form).size();
  }
  (void)body_diags.format();
  return 0;
}
