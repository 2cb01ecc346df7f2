#include "dispatcher/state_dir.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <net/if.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <filesystem>

namespace xdpchain::dispatcher {

namespace fs = std::filesystem;

Result<InterfaceRef> resolve_interface(const std::string &name) {
  InterfaceRef ref;
  ref.name = name;
  ref.ifindex = static_cast<int>(if_nametoindex(name.c_str()));
  if (ref.ifindex == 0)
    return Error(ErrorKind::not_found, "interface '" + name + "' does not exist")
        .hint("list interfaces with: ip link show");
  struct stat st;
  if (stat("/proc/thread-self/ns/net", &st) != 0)
    return Error::from_errno("read network namespace of this process", errno);
  ref.netns_inode = st.st_ino;
  return ref;
}

namespace {

bool on_bpffs(const std::string &path) {
  struct statfs st;
  return statfs(path.c_str(), &st) == 0 && st.f_type == BPF_FS_MAGIC;
}

Status ensure_root(const std::string &root) {
  std::error_code ec;
  fs::path existing = root;
  while (!existing.empty() && !fs::exists(existing, ec))
    existing = existing.parent_path();
  if (existing.empty() || !on_bpffs(existing.string()))
    return Error(ErrorKind::not_supported, "'" + root + "' is not on a bpffs mount")
        .hint("mount one with: mount -t bpf bpf " + (existing.empty() ? root : existing.string()))
        .hint("under `ip netns exec`, /sys is remounted and /sys/fs/bpf is hidden: mount a bpffs "
              "outside /sys and pass --bpffs DIR (or set XDPCHAIN_BPFFS)");
  fs::create_directories(root, ec);
  if (ec) return Error::from_errno("create '" + root + "'", ec.value());
  return {};
}

} // namespace

Result<StateDir> StateDir::open(const std::string &root, const InterfaceRef &iface, bool create) {
  StateDir dir;
  dir.path_ =
      root + "/ns" + std::to_string(iface.netns_inode) + "-if" + std::to_string(iface.ifindex);
  if (create) XDPC_TRY(ensure_root(root));
  int fd = -1;
  // `prune` may remove an empty directory between our mkdir and open: make it again.
  for (int attempt = 0; attempt < 3 && fd < 0; ++attempt) {
    if (create && mkdir(dir.path_.c_str(), 0700) != 0 && errno != EEXIST)
      return Error::from_errno("create '" + dir.path_ + "'", errno);
    fd = ::open(dir.path_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 && (errno != ENOENT || !create)) break;
  }
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT)
      return Error(ErrorKind::not_found, "no xdpchain state for interface '" + iface.name + "'");
    return Error::from_errno("open '" + dir.path_ + "'", err);
  }
  dir.dir_fd_ = Fd(fd);
  return dir;
}

Result<StateDir> StateDir::open_existing(const std::string &path) {
  StateDir dir;
  dir.path_ = path;
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Error::from_errno("open '" + path + "'", errno);
  dir.dir_fd_ = Fd(fd);
  return dir;
}

std::vector<StateDir::Listed> StateDir::list(const std::string &root) {
  std::vector<Listed> listed;
  std::error_code ec;
  for (const auto &entry : fs::directory_iterator(root, ec)) {
    const std::string name = entry.path().filename().string();
    unsigned long long inode = 0;
    int ifindex = 0;
    char rest = 0;
    if (entry.is_directory(ec) &&
        sscanf(name.c_str(), "ns%llu-if%d%c", &inode, &ifindex, &rest) == 2)
      listed.push_back({entry.path().string(), inode, ifindex});
  }
  std::sort(listed.begin(), listed.end(),
            [](const Listed &a, const Listed &b) { return a.path < b.path; });
  return listed;
}

std::string StateDir::generation_path(uint32_t dispatcher_id) const {
  return path_ + "/gen-" + std::to_string(dispatcher_id);
}

std::vector<uint32_t> StateDir::generations() const {
  std::vector<uint32_t> ids;
  std::error_code ec;
  for (const auto &entry : fs::directory_iterator(path_, ec)) {
    std::string name = entry.path().filename().string();
    if (name.rfind("gen-", 0) == 0) ids.push_back(std::stoul(name.substr(4)));
  }
  return ids;
}

Status StateDir::lock() {
  for (;;) {
    while (flock(dir_fd_.get(), LOCK_EX) != 0)
      if (errno != EINTR) return Error::from_errno("lock '" + path_ + "'", errno);
    // A writer that held the lock may have removed the directory (last member removed):
    // then lock a fresh one.
    struct stat held, current;
    if (fstat(dir_fd_.get(), &held) == 0 && stat(path_.c_str(), &current) == 0 &&
        held.st_ino == current.st_ino)
      return {};
    if (mkdir(path_.c_str(), 0700) != 0 && errno != EEXIST)
      return Error::from_errno("create '" + path_ + "'", errno);
    int fd = ::open(path_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return Error::from_errno("open '" + path_ + "'", errno);
    dir_fd_ = Fd(fd);
  }
}

void StateDir::remove_tree(const std::string &path) {
  std::error_code ec;
  fs::remove_all(path, ec);
}

void StateDir::remove_if_empty() const {
  std::error_code ec;
  if (fs::is_empty(path_, ec)) fs::remove(path_, ec);
}

} // namespace xdpchain::dispatcher
