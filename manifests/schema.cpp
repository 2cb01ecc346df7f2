#include "manifests/schema.h"

#include <cctype>
#include <charconv>
#include <filesystem>

namespace xdpchain::manifests {

std::optional<long long> read_integer(const Scalar &scalar) {
  if (scalar.kind != NodeKind::scalar || scalar.quoted || scalar.text.empty()) return std::nullopt;
  const char *begin = scalar.text.data();
  const char *end = begin + scalar.text.size();
  if (*begin == '+') ++begin;
  long long value = 0;
  auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

std::optional<dispatcher::Mode> read_mode(const std::string &text) {
  if (text == "native") return dispatcher::Mode::native;
  if (text == "generic") return dispatcher::Mode::generic;
  return std::nullopt;
}

std::optional<dispatcher::Backend> read_backend(const std::string &text) {
  if (text == "auto") return dispatcher::Backend::automatic;
  if (text == "freplace") return dispatcher::Backend::freplace;
  if (text == "tailcall") return dispatcher::Backend::tailcall;
  if (text == "fused") return dispatcher::Backend::fused;
  return std::nullopt;
}

bool valid_object_name(const std::string &name) {
  if (name.empty() || name.size() > 253) return false;
  for (char c : name)
    if (!(std::islower(static_cast<unsigned char>(c)) ||
          std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '.'))
      return false;
  auto alnum = [](char c) {
    return std::islower(static_cast<unsigned char>(c)) ||
           std::isdigit(static_cast<unsigned char>(c));
  };
  return alnum(name.front()) && alnum(name.back());
}

bool valid_program_name(const std::string &name) {
  return dispatcher::valid_label(name);
}

std::string resolve_path(const std::string &manifest_path, const std::string &path) {
  namespace fs = std::filesystem;
  fs::path target(path);
  // "<string>", "<stdin>": no folder of its own; relative to the working directory.
  if (target.is_relative() && !manifest_path.starts_with("<"))
    target = fs::path(manifest_path).parent_path() / target;
  std::error_code ec;
  fs::path absolute = fs::absolute(target, ec);
  return (ec ? target : absolute).lexically_normal().string();
}

} // namespace xdpchain::manifests
