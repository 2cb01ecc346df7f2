// Interface selection: a manifest names its interfaces as plain data (one name, a list of
// names and glob patterns, or `interfaceSelector.primary`); select_interfaces() turns that
// into the concrete interface names of a network namespace at apply time. `apply`, `diff`
// and the agent all go through resolve_targets().
#pragma once

#include "common/result.h"
#include "manifests/convert.h"

#include <optional>
#include <string>
#include <vector>

namespace xdpchain::manifests {

// Why `pattern` cannot name an interface (empty, too long, '/', ':', whitespace, an open
// '[' class), or nothing when it can.
std::optional<std::string> pattern_problem(const std::string &pattern);

// The interfaces of network namespace `netns` ("" = the caller's) that `selection` picks,
// sorted by name, loopback never matched by a pattern. Empty when none matches.
Result<std::vector<std::string>> select_interfaces(const InterfaceSelection &selection,
                                                   const std::string &netns);

// The names among `names` (one namespace's interfaces) that `selection` picks, sorted,
// loopback never matched by a pattern; `primary` is the interface holding the default route
// ("" for none). select_interfaces() reads the namespace's links and calls this; the agent
// calls it with the links it keeps track of.
std::vector<std::string> pick_interfaces(const InterfaceSelection &selection,
                                         const std::vector<std::string> &names,
                                         const std::string &primary);

// The interface of the default route (IPv4, else IPv6) in network namespace `netns` ("" =
// the caller's); "" when there is none.
Result<std::string> primary_interface(const std::string &netns);

// Selection as written, for messages: "spec.interfaces [eth*, ens*]".
std::string describe(const InterfaceSelection &selection);

// One target per selected interface: targets with a single `spec.interface` pass through,
// the others are copied once per interface their selection picks in their namespace. A
// selection that picks nothing is an invalid_argument error naming the document and patterns.
Result<std::vector<ChainTarget>> resolve_targets(const std::vector<ChainTarget> &targets);

} // namespace xdpchain::manifests
