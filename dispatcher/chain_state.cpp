#include "dispatcher/chain_state.h"

#include "common/link_xdp.h"
#include "common/obj_info.h"
#include "dispatcher/xdp_attach.h"

#include <bpf/bpf.h>

#include <bpf/libbpf.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace xdpchain::dispatcher {

namespace {

template <class Kind>
Result<OwnedFd<Kind>> open_pin_of(const std::string &path, ObjectKind kind, const char *what) {
  Fd fd(bpf_obj_get(path.c_str()));
  if (!fd) return Error::from_errno("open pin '" + path + "'", errno);
  auto held = object_kind(fd.get());
  if (!held) return std::move(held).error().wrap("pin '" + path + "'");
  if (*held != kind)
    return Error(ErrorKind::conflict, "pin '" + path + "' is not a BPF " + what)
        .hint("the state directory was changed by something other than xdpchain");
  return OwnedFd<Kind>(fd.release());
}

} // namespace

Result<ProgFd> open_prog_pin(const std::string &path) {
  return open_pin_of<fd_kind::prog>(path, ObjectKind::program, "program");
}

Result<MapFd> open_map_pin(const std::string &path) {
  return open_pin_of<fd_kind::map>(path, ObjectKind::map, "map");
}

Result<LinkFd> open_link_pin(const std::string &path) {
  return open_pin_of<fd_kind::link>(path, ObjectKind::link, "link");
}

Status pin_fd(int fd, const std::string &path) {
  if (bpf_obj_pin(fd, path.c_str()) != 0) return Error::from_errno("pin '" + path + "'", errno);
  return {};
}

namespace {

uint64_t own_netns_inode() {
  struct stat st;
  return stat("/proc/thread-self/ns/net", &st) == 0 ? st.st_ino : 0;
}

// The pinned link must be the one on the interface the directory is named after: same
// ifindex and, in our own namespace, the program the interface really runs. Anything else
// (a directory moved or swapped in) is refused rather than acted on.
Status check_link_target(const StateDir &dir, const XdpLinkInfo &info) {
  if (static_cast<int>(info.ifindex) != dir.ifindex())
    return Error(ErrorKind::conflict, "the XDP link pinned in '" + dir.path() +
                                          "' is attached to ifindex " +
                                          std::to_string(info.ifindex) + ", not to ifindex " +
                                          std::to_string(dir.ifindex()) + " the directory is for")
        .hint("the state directory was moved or replaced; xdpchain will not act on it");
  if (dir.netns_inode() != own_netns_inode()) return {};
  auto query = query_link_xdp(dir.ifindex());
  if (!query) return std::move(query).error();
  const LinkXdp &opts = *query;
  if (opts.drv_prog_id != info.prog_id && opts.skb_prog_id != info.prog_id &&
      opts.hw_prog_id != info.prog_id)
    return Error(ErrorKind::conflict,
                 "the XDP link pinned in '" + dir.path() + "' (link id " +
                     std::to_string(info.link_id) + ") is not the one on ifindex " +
                     std::to_string(dir.ifindex()) + " of this network namespace")
        .hint("the state directory was moved or replaced; xdpchain will not act on it");
  return {};
}

} // namespace

Result<CurrentChain> read_current_chain(const StateDir &dir) {
  CurrentChain current;
  auto link = open_link_pin(dir.link_path());
  if (!link) {
    if (link.error().err() == ENOENT) return current;
    return std::move(link).error();
  }
  auto info = xdp_link_info(*link);
  if (!info) return std::move(info).error();
  if (info->ifindex == 0) return current; // defunct: the interface went away
  XDPC_TRY(check_link_target(dir, *info));
  current.link = std::move(*link);
  current.link_id = info->link_id;
  current.dispatcher_id = info->prog_id;
  current.dispatcher = ProgFd(bpf_prog_get_fd_by_id(info->prog_id));
  if (!current.dispatcher) return Error::from_errno("open the attached dispatcher", errno);
  current.generation_path = dir.generation_path(info->prog_id);
  auto config_fd = open_map_pin(current.generation_path + "/config");
  if (!config_fd)
    return std::move(config_fd).error().wrap("chain state in '" + dir.path() + "' is damaged");
  auto config = read_config_map(*config_fd);
  if (!config) return std::move(config).error();
  current.config = std::move(*config);
  current.present = true;
  return current;
}

void collect_garbage(const StateDir &dir, const CurrentChain &current) {
  for (uint32_t id : dir.generations())
    if (!current.present || id != current.dispatcher_id)
      StateDir::remove_tree(dir.generation_path(id));
  if (!current.present) unlink(dir.link_path().c_str());
}

} // namespace xdpchain::dispatcher
