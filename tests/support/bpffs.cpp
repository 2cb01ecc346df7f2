#include "tests/support/bpffs.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <linux/magic.h>
#include <mutex>
#include <stdexcept>
#include <sys/mount.h>
#include <sys/vfs.h>

namespace xdpchain::test {

namespace {

bool is_bpffs(const std::string &dir) {
  struct statfs st {};
  return statfs(dir.c_str(), &st) == 0 && st.f_type == BPF_FS_MAGIC;
}

} // namespace

std::string bpffs_mount() {
  static std::once_flag once;
  static std::string mount_point;
  std::call_once(once, [] {
    const char *env = std::getenv("XDPCHAIN_BPFFS");
    std::string dir = env && *env ? env : "/sys/fs/bpf";
    if (!is_bpffs(dir)) {
      std::error_code ec;
      std::filesystem::create_directories(dir, ec);
      if (mount("bpf", dir.c_str(), "bpf", 0, "mode=0700") != 0 && !is_bpffs(dir))
        throw std::runtime_error("bpffs: cannot mount bpf on " + dir + ": " + std::strerror(errno));
    }
    mount_point = dir;
  });
  if (mount_point.empty()) throw std::runtime_error("bpffs: no mount point");
  return mount_point;
}

std::vector<std::string> list_pins(const std::string &dir) {
  std::vector<std::string> pins;
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) return pins;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_directory(ec)) pins.push_back(it->path().string());
  }
  std::sort(pins.begin(), pins.end());
  return pins;
}

} // namespace xdpchain::test
