#include "manifests/object_cache.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace xdpchain::manifests {

namespace {

uint64_t fnv1a(const std::vector<uint8_t> &bytes) {
  uint64_t hash = 0xcbf29ce484222325ull;
  for (uint8_t byte : bytes)
    hash = (hash ^ byte) * 0x100000001b3ull;
  return hash;
}

bool holds(const std::string &path, const std::vector<uint8_t> &bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::vector<uint8_t> current((std::istreambuf_iterator<char>(in)),
                               std::istreambuf_iterator<char>());
  return current == bytes;
}

std::string object_name(const std::vector<uint8_t> &bytes) {
  char name[64];
  std::snprintf(name, sizeof(name), "%016llx-%zu.o", static_cast<unsigned long long>(fnv1a(bytes)),
                bytes.size());
  return name;
}

} // namespace

std::string default_object_cache() {
  const char *dir = std::getenv("XDPCHAIN_OBJECT_CACHE");
  return dir && *dir ? dir : "/run/xdpchain/objects";
}

Result<std::string> find_object(const std::vector<uint8_t> &bytes, const std::string &dir,
                                const std::string &staging) {
  std::string cached = dir + "/" + object_name(bytes);
  if (holds(cached, bytes)) return cached;
  return store_object(bytes, staging);
}

Result<std::string> store_object(const std::vector<uint8_t> &bytes, const std::string &dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Error::from_errno("object cache '" + dir + "': create", ec.value());
  std::string path = dir + "/" + object_name(bytes);
  if (holds(path, bytes)) return path;
  std::string temporary = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char *>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
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
  return path;
}

} // namespace xdpchain::manifests
