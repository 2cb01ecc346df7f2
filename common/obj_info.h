// The one place that asks the kernel about a BPF object by fd (bpf_obj_get_info_by_fd):
// a program's, a map's or a link's info.
#pragma once

#include "common/fd.h"
#include "common/result.h"

#include <linux/bpf.h>

namespace xdpchain {

Result<bpf_prog_info> prog_info(ProgRef prog);
Result<bpf_map_info> map_info(MapRef map);
Result<bpf_link_info> link_info(LinkRef link);

} // namespace xdpchain
