#include "cli/object_source.h"

#include "ext/program_object.h"
#include "manifests/lisp_compiler.h"
#include "manifests/object_cache.h"

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
    auto elf = manifests::compile_lisp(absolute.string());
    if (!elf) return std::move(elf).error();
    auto stored = manifests::store_object(*elf, manifests::default_object_cache(), object);
    if (!stored) return stored;
    object = std::move(*stored);
  }
  // Read and check the object now, before the interface lock is taken; the chain then loads
  // these same bytes.
  XDPC_TRY(ext::preload_object(object));
  return object;
}

} // namespace xdpchain::cli
