// Where an interface's chain lives in bpffs, and the lock that serialises writers.
//   <root>/ns<netns inode>-if<ifindex>/          one per (network namespace, interface)
//     link                     the XDP bpf_link attaching the current dispatcher
//     counters                 per-CPU counters map, shared by every generation
//     gen-<dispatcher id>/     one per dispatcher generation (see docs/protocol.md)
#pragma once

#include "common/fd.h"
#include "common/result.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace xdpchain::dispatcher {

struct InterfaceRef {
  std::string name;
  int ifindex = 0;
  uint64_t netns_inode = 0;
};

// Resolves an interface name in the caller's network namespace.
Result<InterfaceRef> resolve_interface(const std::string &name);

// The state root is a trust boundary (docs/protocol.md, "Threat model"): `root` is made
// canonical (no "..", no symbolic links) before it is checked; every component is opened
// without following symbolic links; the root and each interface directory must be owned by
// root and writable by nobody else (created 0700), and the directories above the root may
// be writable by others only with the sticky bit. Anything else is refused (conflict).
Result<std::string> canonical_root(const std::string &root);

// The id in a generation directory's name "gen-<id>"; nullopt for anything else ("gen-x").
std::optional<uint32_t> parse_generation_name(const std::string &name);

inline constexpr std::chrono::milliseconds kDefaultLockWait{30000};

class StateDir {
public:
  // Opens (creating when `create`) the directory for `iface` under `root`. The root must be
  // on a bpffs mount; a clear error says how to mount one otherwise.
  static Result<StateDir> open(const std::string &root, const InterfaceRef &iface, bool create);
  // Opens an existing interface directory by its path (one that list() returned).
  static Result<StateDir> open_existing(const std::string &path);
  // The interface directories (ns<inode>-if<ifindex>) under `root`, every namespace's.
  struct Listed {
    std::string path;
    uint64_t netns_inode = 0;
    int ifindex = 0;
  };
  static std::vector<Listed> list(const std::string &root);

  const std::string &path() const { return path_; }
  // The interface this directory is named after (its ifindex, in namespace netns_inode()).
  int ifindex() const { return ifindex_; }
  uint64_t netns_inode() const { return netns_inode_; }
  std::string link_path() const { return path_ + "/link"; }
  std::string counters_path() const { return path_ + "/counters"; }
  std::string generation_path(uint32_t dispatcher_id) const;
  // Generation directories present, by dispatcher id. An entry that is not "gen-<id>" is
  // skipped with a warning on stderr.
  std::vector<uint32_t> generations() const;

  // Waits up to `timeout` for the interface's writer lock (flock on the directory); then
  // Error conflict naming the holder's pid.
  Status lock(std::chrono::milliseconds timeout = kDefaultLockWait);
  // Removes a generation directory and every pin in it.
  static void remove_tree(const std::string &path);
  // Removes the interface directory if it holds nothing.
  void remove_if_empty() const;
  // Removes the interface directory and every pin in it. Call with the lock held.
  void remove_all() const { remove_tree(path_); }

private:
  std::string path_;
  std::string name_; // ns<inode>-if<ifindex>
  int ifindex_ = 0;
  uint64_t netns_inode_ = 0;
  Fd root_fd_;
  Fd dir_fd_;
};

} // namespace xdpchain::dispatcher
