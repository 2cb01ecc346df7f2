#include "compiler/helpers/helpers.h"

#include <cstring>

namespace xdpchain::compiler {

namespace {
const HelperInfo kHelpers[] = {
#include "helper_table.inc"
};
} // namespace

std::optional<HelperInfo> find_helper(const std::string &name) {
  std::string kernel_name = name;
  for (char &c : kernel_name)
    if (c == '-') c = '_';
  if (kernel_name.rfind("bpf_", 0) == 0) kernel_name = kernel_name.substr(4);
  for (const HelperInfo &helper : kHelpers)
    if (kernel_name == helper.name) return helper;
  return std::nullopt;
}

} // namespace xdpchain::compiler
