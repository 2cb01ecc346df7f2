#include "dispatcher/member_insns.h"

#include "common/obj_info.h"

#include <bpf/bpf.h>

#include <cerrno>

namespace xdpchain::dispatcher {

namespace {

bool is_map_ld_imm64(const bpf_insn &insn) {
  return insn.code == (BPF_LD | BPF_DW | BPF_IMM) &&
         (insn.src_reg == BPF_PSEUDO_MAP_FD || insn.src_reg == BPF_PSEUDO_MAP_VALUE);
}

Result<uint32_t> map_id_of(int fd) {
  auto info = map_info(MapRef(fd));
  if (!info) return std::move(info).error();
  return info->id;
}

} // namespace

Status check_rehostable(const std::vector<bpf_insn> &insns) {
  for (const auto &insn : insns) {
    if (insn.code == (BPF_JMP | BPF_CALL) && insn.src_reg == BPF_PSEUDO_KFUNC_CALL && insn.off != 0)
      return Error(ErrorKind::not_supported,
                   "calls a kfunc from a kernel module, which the tail-call backend cannot "
                   "re-host");
    if (insn.code == (BPF_LD | BPF_DW | BPF_IMM) && insn.src_reg == BPF_PSEUDO_MAP_IDX)
      return Error(ErrorKind::not_supported, "uses map-index relocations (fd_array)");
  }
  return {};
}

Result<MapFd> store_member_insns(const std::vector<bpf_insn> &insns) {
  std::vector<bpf_insn> stored = insns;
  for (auto &insn : stored) {
    if (!is_map_ld_imm64(insn)) continue;
    auto id = map_id_of(insn.imm);
    if (!id) return std::move(id).error();
    insn.imm = static_cast<int32_t>(*id);
  }
  uint32_t size = stored.size() * sizeof(bpf_insn);
  MapFd fd(bpf_map_create(BPF_MAP_TYPE_ARRAY, "xdpc_insns", 4, size, 1, nullptr));
  if (!fd) return Error::from_errno("create instruction map", errno);
  uint32_t key = 0;
  if (bpf_map_update_elem(fd.get(), &key, stored.data(), BPF_ANY) != 0)
    return Error::from_errno("store instructions", errno);
  if (bpf_map_freeze(fd.get()) != 0) return Error::from_errno("freeze instruction map", errno);
  return fd;
}

Result<LoadedInsns> load_member_insns(MapRef insns_map) {
  auto read = map_info(insns_map);
  if (!read) return std::move(read).error().wrap("instruction map");
  const bpf_map_info &info = *read;
  LoadedInsns loaded;
  loaded.insns.resize(info.value_size / sizeof(bpf_insn));
  uint32_t key = 0;
  if (bpf_map_lookup_elem(insns_map.get(), &key, loaded.insns.data()) != 0)
    return Error::from_errno("read instructions", errno);
  for (auto &insn : loaded.insns) {
    if (!is_map_ld_imm64(insn)) continue;
    MapFd fd(bpf_map_get_fd_by_id(static_cast<uint32_t>(insn.imm)));
    if (!fd) return Error::from_errno("open map id " + std::to_string(insn.imm), errno);
    insn.imm = fd.get();
    loaded.map_fds.push_back(std::move(fd));
  }
  return loaded;
}

} // namespace xdpchain::dispatcher
