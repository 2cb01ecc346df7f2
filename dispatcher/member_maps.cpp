#include "dispatcher/member_maps.h"

#include "common/fd.h"
#include "common/obj_info.h"
#include "dispatcher/chain_state.h"

#include <bpf/bpf.h>

#include <linux/bpf.h>

#include <algorithm>
#include <string>

namespace xdpchain::dispatcher {

namespace {

// Kernel object names hold at most BPF_OBJ_NAME_LEN - 1 characters of the ELF name.
bool same_name(const std::string &elf_name, const std::string &kernel_name) {
  return elf_name.substr(0, BPF_OBJ_NAME_LEN - 1) == kernel_name;
}

// `path` when a map is pinned there and it is the map with kernel id `id`.
std::string pin_if_same(const std::string &path, uint32_t id) {
  auto pinned = open_map_pin(path);
  if (!pinned) return "";
  auto info = map_info(*pinned);
  return info && info->id == id ? path : "";
}

std::vector<uint32_t> map_ids(uint32_t prog_id) {
  ProgFd prog(bpf_prog_get_fd_by_id(prog_id));
  if (!prog) return {};
  std::vector<uint32_t> ids(64);
  bpf_prog_info info = {};
  info.nr_map_ids = static_cast<uint32_t>(ids.size());
  info.map_ids = reinterpret_cast<uint64_t>(ids.data());
  uint32_t length = sizeof info;
  if (bpf_obj_get_info_by_fd(prog.get(), &info, &length) != 0) return {};
  ids.resize(std::min<size_t>(info.nr_map_ids, ids.size()));
  return ids;
}

} // namespace

std::vector<MemberMap> member_maps(uint32_t prog_id, const ChainMember &member) {
  std::vector<MemberMap> maps;
  if (prog_id == 0) return maps;
  for (uint32_t id : map_ids(prog_id)) {
    MapFd map(bpf_map_get_fd_by_id(id));
    if (!map) continue;
    auto info = map_info(map);
    if (!info) continue;
    MemberMap entry{info->name, id, ""};
    for (const auto &pin : member.map_pins)
      if (entry.pin.empty() && same_name(pin.map, entry.name))
        entry.pin = pin_if_same(pin.path, id);
    if (entry.pin.empty() && !member.pin_root.empty())
      entry.pin = pin_if_same(member.pin_root + "/" + entry.name, id);
    maps.push_back(std::move(entry));
  }
  return maps;
}

} // namespace xdpchain::dispatcher
