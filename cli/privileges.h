// Whether this process may load BPF programs and attach them to interfaces.
#pragma once

namespace xdpchain::cli {

// True when the effective capabilities hold CAP_NET_ADMIN and CAP_BPF (or CAP_SYS_ADMIN,
// which implies it on older kernels): root has them.
bool has_bpf_privileges();

} // namespace xdpchain::cli
