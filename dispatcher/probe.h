// What this kernel (and an interface) can do, found by trying it with throwaway programs,
// never by version numbers. Used by `xdpchain features` and by backend "auto".
#pragma once

#include "common/result.h"

#include <xdpchain/spec.h>

#include <optional>
#include <string>

namespace xdpchain::dispatcher {

struct FeatureResult {
  bool supported = false;
  std::string reason; // why not, or how it was confirmed
};

struct Features {
  FeatureResult freplace; // load a BPF_PROG_TYPE_EXT program against a generated stub, link it
  FeatureResult tailcall; // prog-array tail calls from XDP
  FeatureResult fused;    // one generated program holding members' code inline
  FeatureResult xdp_link; // XDP attached through a bpf_link (atomic swaps)
  FeatureResult frags;    // XDP multi-buffer (BPF_F_XDP_HAS_FRAGS)
  std::optional<FeatureResult> native;  // only with an interface
  std::optional<FeatureResult> generic; // only with an interface
};

// Cached for the life of the process.
const FeatureResult &probe_freplace();
const FeatureResult &probe_tailcall();
const FeatureResult &probe_fused();
FeatureResult probe_xdp_link();
FeatureResult probe_frags();
// Whether `native`/`generic` XDP works on an interface, without attaching anything: the
// mode of what runs there now, else what the driver reports (netdev XDP features; generic
// works everywhere).
FeatureResult probe_mode(const std::string &interface, bool native);
Features probe_features(const std::string &interface);
// The backend `auto` takes for a new chain: freplace where this kernel takes it, else tail
// calls (fused only when asked for: docs/backends.md says why).
Backend automatic_backend(const FeatureResult &freplace);

} // namespace xdpchain::dispatcher
