#include "common/obj_info.h"

#include <bpf/bpf.h>

#include <cerrno>

namespace xdpchain {

namespace {

template <typename Info> Result<Info> object_info(int fd, const char *what) {
  Info info{};
  uint32_t len = sizeof info;
  if (bpf_obj_get_info_by_fd(fd, &info, &len) != 0) return Error::from_errno(what, errno);
  return info;
}

} // namespace

Result<bpf_prog_info> prog_info(ProgRef prog) {
  return object_info<bpf_prog_info>(prog.get(), "program info");
}

Result<bpf_map_info> map_info(MapRef map) {
  return object_info<bpf_map_info>(map.get(), "map info");
}

Result<bpf_link_info> link_info(LinkRef link) {
  return object_info<bpf_link_info>(link.get(), "link info");
}

} // namespace xdpchain
