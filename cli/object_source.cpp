#include "cli/object_source.h"

#include <filesystem>

namespace xdpchain::cli {

Result<std::string> materialize_object(const std::string &path) {
  std::error_code ec;
  auto absolute = std::filesystem::absolute(path, ec);
  if (ec || !std::filesystem::exists(absolute, ec))
    return Error(ErrorKind::not_found, "object '" + path + "' does not exist");
  if (absolute.extension() == ".lisp")
    return Error(ErrorKind::not_supported, "'" + path + "': .lisp sources need the compiler");
  return absolute.lexically_normal().string();
}

} // namespace xdpchain::cli
