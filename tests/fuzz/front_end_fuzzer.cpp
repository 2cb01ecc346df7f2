// libFuzzer target for the reader and the whole front end (macros, constants,
// definitions, lowering, IR verification), and, when the front end accepts the input,
// the back end too. Built by tests/fuzz/run.sh with clang++ -fsanitize=fuzzer,address.
#include "compiler/pipeline.h"
#include "compiler/reader/reader.h"

#include <cstddef>
#include <cstdint>
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
  return 0;
}
