// Public API (docs/library.md). One interface's desired chain as a manifest document (or an
// embedding program) names it: the chain spec plus where the interface lives and how it
// was selected. apply_all() takes a list of these.
#pragma once

#include <xdpchain/spec.h>

#include <string>
#include <vector>

namespace xdpchain {

// spec.interfaces / spec.interfaceSelector as written; resolved by resolve_targets().
struct InterfaceSelection {
  std::vector<std::string> patterns; // names and fnmatch(3) globs
  bool primary = false;              // the interface holding the default route
  bool given() const { return primary || !patterns.empty(); }
};

// One interface's desired chain.
struct ChainTarget {
  std::string name;   // metadata.name
  std::string netns;  // spec.namespace; "" = the caller's network namespace
  std::string origin; // "file:line:column" of the document, for messages
  bool force = false; // spec.force: another tool's XDP program may be replaced
  // Given: spec.interface is "" until resolve_targets() copies the target per interface.
  InterfaceSelection selection;
  ChainSpec spec;
};

} // namespace xdpchain
