#include "dispatcher/state_dir.h"

#include "common/flock_wait.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <net/if.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

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

constexpr int kDirFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;

bool on_bpffs(int fd) {
  struct statfs st;
  return fstatfs(fd, &st) == 0 && st.f_type == BPF_FS_MAGIC;
}

bool trusted_owner(uid_t uid) {
  return uid == 0 || uid == geteuid();
}

// A directory of ours (the root, an interface directory): owned by root (or whoever runs
// us) and writable by nobody else.
Status check_own_dir(int fd, const std::string &path) {
  struct stat st;
  if (fstat(fd, &st) != 0) return Error::from_errno("stat '" + path + "'", errno);
  if (!trusted_owner(st.st_uid))
    return Error(ErrorKind::conflict, "'" + path + "' is owned by uid " +
                                          std::to_string(st.st_uid) +
                                          ", not root: xdpchain will not trust its state")
        .hint("remove it, or choose another --bpffs root that only root can write");
  if (st.st_mode & (S_IWGRP | S_IWOTH))
    return Error(ErrorKind::conflict, "'" + path +
                                          "' is writable by other users: xdpchain will not "
                                          "trust its state")
        .hint("chmod go-w '" + path + "', or choose another --bpffs root");
  return {};
}

// A directory above the root: root-owned, and writable by others only with the sticky bit
// (like /tmp or a bpffs of mode 1777), so nobody else can rename what lies below.
Status check_ancestor(int fd, const std::string &path) {
  struct stat st;
  if (fstat(fd, &st) != 0) return Error::from_errno("stat '" + path + "'", errno);
  if (!trusted_owner(st.st_uid) || ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX)))
    return Error(ErrorKind::conflict, "'" + path +
                                          "' can be changed by other users: xdpchain will not "
                                          "keep its state below it")
        .hint("choose a --bpffs root whose parents only root can change");
  return {};
}

Error symlink_refused(const std::string &path, int err) {
  if (err == ELOOP || err == ENOTDIR)
    return Error(ErrorKind::conflict,
                 "'" + path +
                     "' is a symbolic link or not a directory: xdpchain will not follow it")
        .hint("remove it; xdpchain makes its state directories itself");
  return Error::from_errno("open '" + path + "'", err);
}

Error not_bpffs(const std::string &root, const std::string &existing) {
  return Error(ErrorKind::not_supported, "'" + root + "' is not on a bpffs mount")
      .hint("mount one with: mount -t bpf bpf " + existing)
      .hint("under `ip netns exec`, /sys is remounted and /sys/fs/bpf is hidden: mount a bpffs "
            "outside /sys and pass --bpffs DIR (or set XDPCHAIN_BPFFS)");
}

// Opens the root, walking from "/" one component at a time without following symbolic
// links, checking every directory on the way; creates missing components (0700) when
// `create`. Error not_found when the root is missing and !create.
Result<Fd> open_root(const std::string &root, bool create) {
  Fd fd(::open("/", kDirFlags));
  if (!fd) return Error::from_errno("open '/'", errno);
  std::string walked;
  fs::path canonical(root);
  std::vector<std::string> parts;
  for (const auto &part : canonical.relative_path())
    if (!part.empty()) parts.push_back(part.string());
  for (size_t i = 0; i < parts.size(); ++i) {
    walked += "/" + parts[i];
    int next = openat(fd.get(), parts[i].c_str(), kDirFlags);
    if (next < 0 && errno == ENOENT && create) {
      if (!on_bpffs(fd.get())) return not_bpffs(root, walked.substr(0, walked.rfind('/')) + "/");
      if (mkdirat(fd.get(), parts[i].c_str(), 0700) != 0 && errno != EEXIST)
        return Error::from_errno("create '" + walked + "'", errno);
      next = openat(fd.get(), parts[i].c_str(), kDirFlags);
    }
    if (next < 0) {
      int err = errno;
      if (err == ENOENT) return Error(ErrorKind::not_found, "'" + walked + "' does not exist", err);
      return symlink_refused(walked, err);
    }
    fd = Fd(next);
    if (i + 1 < parts.size()) XDPC_TRY(check_ancestor(fd.get(), walked));
  }
  if (!on_bpffs(fd.get())) return not_bpffs(root, root);
  XDPC_TRY(check_own_dir(fd.get(), root));
  return fd;
}

// "ns<inode>-if<ifindex>", nothing more.
bool parse_interface_dir(const std::string &name, uint64_t &inode, int &ifindex) {
  unsigned long long parsed_inode = 0;
  int parsed_ifindex = 0;
  char rest = 0;
  if (sscanf(name.c_str(), "ns%llu-if%d%c", &parsed_inode, &parsed_ifindex, &rest) != 2)
    return false;
  inode = parsed_inode;
  ifindex = parsed_ifindex;
  return true;
}

// The holder of the flock on (dev, inode), from /proc/locks; 0 when unknown.
pid_t lock_holder(const struct stat &st) {
  std::ifstream locks("/proc/locks");
  for (std::string line; std::getline(locks, line);) {
    std::istringstream in(line);
    std::string id, type, advisory, mode, where;
    pid_t pid = 0;
    if (!(in >> id >> type)) continue;
    if (type == "->") continue; // a waiter
    if (!(in >> advisory >> mode >> pid >> where) || type != "FLOCK") continue;
    unsigned major = 0, minor = 0;
    unsigned long long inode = 0;
    if (sscanf(where.c_str(), "%x:%x:%llu", &major, &minor, &inode) == 3 && inode == st.st_ino &&
        makedev(major, minor) == st.st_dev)
      return pid;
  }
  return 0;
}

} // namespace

Result<std::string> canonical_root(const std::string &root) {
  if (root.empty() || root[0] != '/')
    return Error(ErrorKind::invalid_argument, "--bpffs '" + root + "' is not an absolute path");
  std::error_code ec;
  // Resolves "..", "." and symbolic links of the part that exists, so the bpffs check and
  // the walk in open_root see the directory that will really be used.
  fs::path canonical = fs::weakly_canonical(root, ec);
  if (ec) return Error::from_errno("resolve '" + root + "'", ec.value());
  std::string text = canonical.lexically_normal().string();
  while (text.size() > 1 && text.back() == '/')
    text.pop_back();
  return text;
}

Result<StateDir> StateDir::open(const std::string &root, const InterfaceRef &iface, bool create) {
  auto canonical = canonical_root(root);
  if (!canonical) return std::move(canonical).error();
  auto root_fd = open_root(*canonical, create);
  if (!root_fd) {
    if (root_fd.error().kind() == ErrorKind::not_found && !create)
      return Error(ErrorKind::not_found, "no xdpchain state for interface '" + iface.name + "'");
    return std::move(root_fd).error();
  }
  StateDir dir;
  dir.name_ = "ns" + std::to_string(iface.netns_inode) + "-if" + std::to_string(iface.ifindex);
  dir.path_ = *canonical + "/" + dir.name_;
  dir.ifindex_ = iface.ifindex;
  dir.netns_inode_ = iface.netns_inode;
  dir.root_fd_ = std::move(*root_fd);
  int fd = -1;
  // `prune` may remove an empty directory between our mkdir and open: make it again.
  for (int attempt = 0; attempt < 3 && fd < 0; ++attempt) {
    if (create && mkdirat(dir.root_fd_.get(), dir.name_.c_str(), 0700) != 0 && errno != EEXIST)
      return Error::from_errno("create '" + dir.path_ + "'", errno);
    fd = openat(dir.root_fd_.get(), dir.name_.c_str(), kDirFlags);
    if (fd < 0 && (errno != ENOENT || !create)) break;
  }
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT)
      return Error(ErrorKind::not_found, "no xdpchain state for interface '" + iface.name + "'");
    return symlink_refused(dir.path_, err);
  }
  dir.dir_fd_ = Fd(fd);
  XDPC_TRY(check_own_dir(dir.dir_fd_.get(), dir.path_));
  return dir;
}

Result<StateDir> StateDir::open_existing(const std::string &path) {
  fs::path p(path);
  StateDir dir;
  dir.name_ = p.filename().string();
  if (!parse_interface_dir(dir.name_, dir.netns_inode_, dir.ifindex_))
    return Error(ErrorKind::invalid_argument, "'" + path + "' is not an interface directory");
  auto root_fd = open_root(p.parent_path().string(), false);
  if (!root_fd) return std::move(root_fd).error();
  dir.root_fd_ = std::move(*root_fd);
  dir.path_ = path;
  int fd = openat(dir.root_fd_.get(), dir.name_.c_str(), kDirFlags);
  if (fd < 0) return symlink_refused(path, errno);
  dir.dir_fd_ = Fd(fd);
  XDPC_TRY(check_own_dir(dir.dir_fd_.get(), dir.path_));
  return dir;
}

std::vector<StateDir::Listed> StateDir::list(const std::string &root) {
  std::vector<Listed> listed;
  auto canonical = canonical_root(root);
  if (!canonical) return listed;
  std::error_code ec;
  for (const auto &entry : fs::directory_iterator(*canonical, ec)) {
    const std::string name = entry.path().filename().string();
    uint64_t inode = 0;
    int ifindex = 0;
    if (entry.is_directory(ec) && !entry.is_symlink(ec) &&
        parse_interface_dir(name, inode, ifindex))
      listed.push_back({entry.path().string(), inode, ifindex});
  }
  std::sort(listed.begin(), listed.end(),
            [](const Listed &a, const Listed &b) { return a.path < b.path; });
  return listed;
}

std::string StateDir::generation_path(uint32_t dispatcher_id) const {
  return path_ + "/gen-" + std::to_string(dispatcher_id);
}

std::optional<uint32_t> parse_generation_name(const std::string &name) {
  if (name.rfind("gen-", 0) != 0 || name.size() == 4) return std::nullopt;
  uint32_t id = 0;
  const char *begin = name.data() + 4, *end = name.data() + name.size();
  auto [ptr, ec] = std::from_chars(begin, end, id);
  if (ec != std::errc() || ptr != end || id == 0 || *begin == '0') return std::nullopt;
  return id;
}

std::vector<uint32_t> StateDir::generations() const {
  std::vector<uint32_t> ids;
  std::error_code ec;
  for (const auto &entry : fs::directory_iterator(path_, ec)) {
    std::string name = entry.path().filename().string();
    if (name.rfind("gen-", 0) != 0) continue;
    if (auto id = parse_generation_name(name))
      ids.push_back(*id);
    else
      std::cerr << "xdpchain: warning: ignoring '" << entry.path().string()
                << "': not a generation xdpchain made (remove it by hand)\n";
  }
  return ids;
}

Status StateDir::lock(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    // Waits in the kernel's queue, roughly in arrival order (common/flock_wait.h): a polled
    // lock let newcomers overtake the longest waiter (16 writers in a VM: up to 8 of 816
    // waited over 5 minutes).
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    const int err = flock_exclusive_in_order(dir_fd_.get(), std::max(left, {}));
    if (err == ETIMEDOUT) {
      struct stat st;
      pid_t holder = fstat(dir_fd_.get(), &st) == 0 ? lock_holder(st) : 0;
      return Error(ErrorKind::conflict,
                   "another command holds the lock on '" + path_ + "'" +
                       (holder ? " (pid " + std::to_string(holder) + ")" : "") +
                       "; gave up after " + std::to_string(timeout.count() / 1000.0).substr(0, 5) +
                       " s")
          .hint("wait longer with --wait SECONDS");
    }
    if (err != 0) return Error::from_errno("lock '" + path_ + "'", err);
    // A writer that held the lock may have removed the directory (last member removed):
    // then lock a fresh one.
    struct stat held, current;
    if (fstat(dir_fd_.get(), &held) == 0 &&
        fstatat(root_fd_.get(), name_.c_str(), &current, AT_SYMLINK_NOFOLLOW) == 0 &&
        held.st_ino == current.st_ino)
      return {};
    if (mkdirat(root_fd_.get(), name_.c_str(), 0700) != 0 && errno != EEXIST)
      return Error::from_errno("create '" + path_ + "'", errno);
    int fd = openat(root_fd_.get(), name_.c_str(), kDirFlags);
    if (fd < 0) return symlink_refused(path_, errno);
    dir_fd_ = Fd(fd);
    XDPC_TRY(check_own_dir(dir_fd_.get(), path_));
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
