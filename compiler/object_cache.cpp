#include "compiler/object_cache.h"

#include "common/untrusted_file.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace xdpchain::compiler {

namespace {

template <typename Bytes> uint64_t fnv1a(const Bytes &bytes) {
  uint64_t hash = 0xcbf29ce484222325ull;
  for (auto byte : bytes)
    hash = (hash ^ static_cast<uint8_t>(byte)) * 0x100000001b3ull;
  return hash;
}

constexpr const char *kSourceSuffix = ".source";
constexpr size_t kMaxSourcePathBytes = 4096; // the .source file holds one path (PATH_MAX)

// The cache directory may come from the environment (XDPCHAIN_OBJECT_CACHE), so its files
// are read like any other untrusted input: regular files only, never more than needed.
bool holds(const std::string &path, const std::vector<uint8_t> &bytes) {
  Result<std::string> current = read_untrusted_file(path, bytes.size() + 1, "cached object");
  return current && current->size() == bytes.size() &&
         std::equal(bytes.begin(), bytes.end(), current->begin(),
                    [](uint8_t a, char b) { return a == static_cast<uint8_t>(b); });
}

std::string object_name(const std::vector<uint8_t> &bytes, const std::string &source) {
  char name[96];
  if (source.empty())
    std::snprintf(name, sizeof(name), "%016llx-%zu.o",
                  static_cast<unsigned long long>(fnv1a(bytes)), bytes.size());
  else
    std::snprintf(name, sizeof(name), "%016llx-%zu-%016llx.o",
                  static_cast<unsigned long long>(fnv1a(bytes)), bytes.size(),
                  static_cast<unsigned long long>(fnv1a(source)));
  return name;
}

// Writes `size` bytes to `path` through a temporary file and a rename.
Status write_atomically(const std::string &path, const char *data, size_t size) {
  std::error_code ec;
  std::string temporary = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out.write(data, static_cast<std::streamsize>(size));
    out.close();
    if (!out) {
      int err = errno;
      std::filesystem::remove(temporary, ec);
      return Error::from_errno("object cache: write " + temporary, err ? err : EIO);
    }
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    int err = errno;
    std::filesystem::remove(temporary, ec);
    return Error::from_errno("object cache: rename to " + path, err);
  }
  return {};
}

std::optional<std::string> read_source(const std::string &object_path) {
  Result<std::string> text =
      read_untrusted_file(object_path + kSourceSuffix, kMaxSourcePathBytes, "cached source");
  if (!text) return std::nullopt;
  std::string source = text->substr(0, text->find('\n'));
  if (source.empty()) return std::nullopt;
  return source;
}

} // namespace

std::string default_object_cache() {
  const char *dir = std::getenv("XDPCHAIN_OBJECT_CACHE");
  return dir && *dir ? dir : "/run/xdpchain/objects";
}

Result<std::string> find_object(const std::vector<uint8_t> &bytes, const std::string &dir,
                                const std::string &staging, const std::string &source) {
  std::string cached = dir + "/" + object_name(bytes, source);
  if (holds(cached, bytes) && (source.empty() || read_source(cached) == source)) return cached;
  return store_object(bytes, staging, source);
}

std::optional<std::string> cached_object_source(const std::string &object_path) {
  std::filesystem::path object(object_path);
  std::error_code ec;
  auto cache = std::filesystem::weakly_canonical(default_object_cache(), ec);
  if (ec || std::filesystem::weakly_canonical(object.parent_path(), ec) != cache || ec)
    return std::nullopt;
  return read_source(object_path);
}

Result<std::string> store_object(const std::vector<uint8_t> &bytes, const std::string &dir,
                                 const std::string &source) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Error::from_errno("object cache '" + dir + "': create", ec.value());
  std::string path = dir + "/" + object_name(bytes, source);
  // The source first: an object in the cache always has its source next to it.
  if (!source.empty() && read_source(path) != source) {
    std::string line = source + "\n";
    XDPC_TRY(write_atomically(path + kSourceSuffix, line.data(), line.size()));
  }
  if (holds(path, bytes)) return path;
  XDPC_TRY(write_atomically(path, reinterpret_cast<const char *>(bytes.data()), bytes.size()));
  return path;
}

} // namespace xdpchain::compiler
