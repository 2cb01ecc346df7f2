#include "cli/object_source.h"

#include "compiler/compile.h"
#include "compiler/object_cache.h"
#include "ext/program_object.h"

#include <filesystem>

namespace xdpchain::cli {

Result<std::string> materialize_object(const std::string &path) {
  std::error_code ec;
  auto absolute = std::filesystem::absolute(path, ec);
  if (ec || !std::filesystem::exists(absolute, ec))
    return Error(ErrorKind::not_found, "object '" + path + "' does not exist");
  std::string object = absolute.lexically_normal().string();
  if (absolute.extension() == ".lisp") {
    // Same path the manifests use: the same source always lands at the same object path, so
    // re-adding an unchanged source is recognised as unchanged.
    auto elf = compiler::compile_file(absolute.string());
    if (!elf) return std::move(elf).error();
    auto stored = compiler::store_object(*elf, compiler::default_object_cache(), object);
    if (!stored) return stored;
    object = std::move(*stored);
  }
  // Read and check the object now, before the interface lock is taken; the chain then loads
  // these same bytes.
  XDPC_TRY(ext::preload_object(object));
  return object;
}

} // namespace xdpchain::cli
