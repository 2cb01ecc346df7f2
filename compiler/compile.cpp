#include "compiler/compile.h"

#include "compiler/pipeline.h"

#include <fstream>
#include <sstream>

namespace xdpchain::compiler {

Result<std::vector<uint8_t>> compile_source(const std::string &source, const std::string &file_name,
                                            const CompileOptions &options) {
  auto object = run_pipeline(std::make_shared<const SourceFile>(file_name, source), options);
  if (!object) return std::move(object).error();
  return std::move(object->elf);
}

Result<std::vector<uint8_t>> compile_file(const std::string &path, const CompileOptions &options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::from_errno("open '" + path + "'", errno).wrap("compile");
  std::ostringstream text;
  text << in.rdbuf();
  return compile_source(text.str(), path, options);
}

} // namespace xdpchain::compiler
