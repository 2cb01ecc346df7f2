// validate(): every rule of the schema (manifests/schema.md) checked against parsed
// manifests before anything touches the kernel. Collects all problems, not just the first.
#pragma once

#include "common/result.h"
#include "manifests/diagnostic.h"
#include "manifests/manifest.h"

#include <functional>
#include <string>
#include <vector>

namespace xdpchain::manifests {

// Where validate() looks at the system. Unset members use the real thing (the file system,
// /run/netns, if_nametoindex inside the namespace); tests put fakes here.
struct ValidateOptions {
  std::function<bool(const std::string &path)> file_exists;
  std::function<bool(const std::string &netns)> netns_exists;
  // Whether `interface` exists in `netns` ("" = the caller's namespace).
  std::function<Result<bool>(const std::string &interface, const std::string &netns)>
      interface_exists;
  // Whether a map pin path lies on a bpffs mount (its deepest existing directory does).
  std::function<bool(const std::string &path)> on_bpffs;
  // xdpchain's own state root (--bpffs): map pins inside it are refused, since the chain's
  // state there is xdpchain's alone.
  std::string state_root = "/sys/fs/bpf/xdpchain";
};

// All problems in `file`, in file order per document; empty when it can be converted.
std::vector<Diagnostic> validate(const ManifestFile &file, const ValidateOptions &options = {});

} // namespace xdpchain::manifests
