// Kernel helpers by name, generated at build time from the installed linux/bpf.h.
#pragma once

#include <optional>
#include <string>

namespace xdpchain::compiler {

struct HelperInfo {
  const char *name; // kernel name without the bpf_ prefix: "ktime_get_ns"
  int id;           // BPF_FUNC_*
  int arg_count;    // from the documented prototype; -1 when undocumented
};

// Looks a helper up by its language name ("ktime-get-ns") or kernel name.
std::optional<HelperInfo> find_helper(const std::string &name);

} // namespace xdpchain::compiler
