// emit(): the manifest for a chain spec, the inverse of convert(). `xdpchain export` writes it;
// `apply` of the result reproduces the chain.
#pragma once

#include "dispatcher/chain_spec.h"

#include <functional>
#include <optional>
#include <string>

namespace xdpchain::manifests {

struct EmitOptions {
  std::string name;    // metadata.name; empty = derived from the interface name
  std::string netns;   // spec.namespace; empty = left out
  std::string comment; // a leading "# ..." line; empty = none
  // The source file a member's object was compiled from (written as `source:` instead of
  // `object:`), or nullopt; unset = every member is written as its object.
  std::function<std::optional<std::string>(const std::string &object_path)> source_of;
};

// One YAML document (apiVersion xdpchain.io/v1, kind XdpChain). Object and source paths are
// written as they are in `spec` and `source_of` (absolute, as current_spec() gives them).
std::string emit_manifest(const dispatcher::ChainSpec &spec, const EmitOptions &options = {});

// A valid metadata.name made from an interface name ("eth0" -> "eth0", "Br_0" -> "br-0").
std::string object_name_for(const std::string &interface);

} // namespace xdpchain::manifests
