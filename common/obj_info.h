// The one place that asks the kernel about a BPF object by fd: what kind of object it is,
// and a program's, a map's or a link's info (bpf_obj_get_info_by_fd).
#pragma once

#include "common/fd.h"
#include "common/result.h"

#include <linux/bpf.h>

namespace xdpchain {

enum class ObjectKind { program, map, link, other };
// From the descriptor's /proc/self/fdinfo: a program has a "prog_type:" line, a map
// "map_type:", a link "link_type:" (every kernel since 5.x; the anon inode's name is not
// stable: "bpf_link" on 6.1, "bpf-link" on 6.18). An fdinfo that cannot be read (no /proc)
// is an io error without an errno, so no caller mistakes it for a missing pin (ENOENT).
Result<ObjectKind> object_kind(int fd);

Result<bpf_prog_info> prog_info(ProgRef prog);
Result<bpf_map_info> map_info(MapRef map);
Result<bpf_link_info> link_info(LinkRef link);

} // namespace xdpchain
