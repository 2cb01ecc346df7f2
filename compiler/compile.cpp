#include "compiler/compile.h"

#include "common/untrusted_file.h"
#include "compiler/pipeline.h"

namespace xdpchain::compiler {

Result<std::vector<uint8_t>> compile_source(const std::string &source, const std::string &file_name,
                                            const CompileOptions &options) {
  auto object = run_pipeline(std::make_shared<const SourceFile>(file_name, source), options);
  if (!object) return std::move(object).error();
  return std::move(object->elf);
}

Result<std::vector<uint8_t>> compile_file(const std::string &path, const CompileOptions &options) {
  auto text = read_untrusted_file(path, kMaxSourceBytes, "source");
  if (!text) return std::move(text).error().wrap("compile");
  return compile_source(*text, path, options);
}

} // namespace xdpchain::compiler
