#include "dispatcher/chain_state.h"

#include "dispatcher/xdp_attach.h"

#include <bpf/bpf.h>

#include <cerrno>
#include <unistd.h>

namespace xdpchain::dispatcher {

Result<Fd> open_pin(const std::string &path) {
  int fd = bpf_obj_get(path.c_str());
  if (fd < 0) return Error::from_errno("open pin '" + path + "'", errno);
  return Fd(fd);
}

Status pin_fd(int fd, const std::string &path) {
  if (bpf_obj_pin(fd, path.c_str()) != 0) return Error::from_errno("pin '" + path + "'", errno);
  return {};
}

Result<CurrentChain> read_current_chain(const StateDir &dir) {
  CurrentChain current;
  auto link = open_pin(dir.link_path());
  if (!link) {
    if (link.error().err() == ENOENT) return current;
    return std::move(link).error();
  }
  auto info = xdp_link_info(link->get());
  if (!info) return std::move(info).error();
  if (info->ifindex == 0) return current; // defunct: the interface went away
  current.link = std::move(*link);
  current.link_id = info->link_id;
  current.dispatcher_id = info->prog_id;
  current.dispatcher = Fd(bpf_prog_get_fd_by_id(info->prog_id));
  if (!current.dispatcher) return Error::from_errno("open the attached dispatcher", errno);
  current.generation_path = dir.generation_path(info->prog_id);
  auto config_fd = open_pin(current.generation_path + "/config");
  if (!config_fd)
    return std::move(config_fd).error().wrap("chain state in '" + dir.path() + "' is damaged");
  auto config = read_config_map(config_fd->get());
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
