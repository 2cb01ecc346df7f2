#include "cli/privileges.h"

#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace xdpchain::cli {

bool has_bpf_privileges() {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (syscall(SYS_capget, &header, data) != 0) return geteuid() == 0;
  auto has = [&](unsigned cap) { return (data[cap / 32].effective >> (cap % 32)) & 1u; };
  return has(CAP_NET_ADMIN) && (has(CAP_BPF) || has(CAP_SYS_ADMIN));
}

} // namespace xdpchain::cli
