#include "common/obj_info.h"

#include <bpf/bpf.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <string_view>

namespace xdpchain {

namespace {

template <typename Info> Result<Info> object_info(int fd, const char *what) {
  Info info{};
  uint32_t len = sizeof info;
  if (bpf_obj_get_info_by_fd(fd, &info, &len) != 0) return Error::from_errno(what, errno);
  return info;
}

} // namespace

Result<ObjectKind> object_kind(int fd) {
  const std::string path = "/proc/self/fdinfo/" + std::to_string(fd);
  Fd info(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  char text[4096];
  const ssize_t n = info ? ::read(info.get(), text, sizeof text) : -1;
  if (n < 0)
    return Error(ErrorKind::io,
                 "cannot tell what a BPF object is: read " + path + ": " + std::strerror(errno))
        .hint("xdpchain needs /proc mounted");
  for (std::string_view rest(text, static_cast<size_t>(n)); !rest.empty();) {
    const std::string_view line = rest.substr(0, rest.find('\n'));
    if (line.starts_with("prog_type:")) return ObjectKind::program;
    if (line.starts_with("map_type:")) return ObjectKind::map;
    if (line.starts_with("link_type:")) return ObjectKind::link;
    rest.remove_prefix(std::min(rest.size(), line.size() + 1));
  }
  return ObjectKind::other;
}

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
