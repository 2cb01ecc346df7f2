// Network namespaces by name (manifests' spec.namespace, --netns): enter one for the calling
// thread for the length of a scope, or look an interface up inside one without moving.
#pragma once

#include "common/fd.h"
#include "common/result.h"

#include <string>

namespace xdpchain {

inline constexpr const char *kNetnsDir = "/run/netns";
// Path of the network namespace `name`: kept as is when absolute, else under kNetnsDir.
std::string netns_path(const std::string &name);

// While alive, the calling thread is in the network namespace `name` (a name under
// /run/netns, or an absolute path such as /proc/PID/ns/net); destroying it returns the
// thread to the namespace it was in. An empty name enters nothing.
class NetnsScope {
public:
  static Result<NetnsScope> enter(const std::string &name);
  // The namespace `netns` refers to (open_netns); an invalid Fd enters nothing. `name`
  // names it in errors.
  static Result<NetnsScope> enter(const Fd &netns, const std::string &name);
  NetnsScope(NetnsScope &&) noexcept = default;
  NetnsScope &operator=(NetnsScope &&) = delete;
  ~NetnsScope();

private:
  explicit NetnsScope(Fd original) : original_(std::move(original)) {}
  Fd original_; // invalid: nothing was entered
};

bool netns_exists(const std::string &name);

// The namespace `name` (as NetnsScope::enter takes it) held open: it keeps referring to the
// same namespace when its name is deleted. Error not_found when there is none.
Result<Fd> open_netns(const std::string &name);

// The ifindex of `interface` in network namespace `netns` ("" = the caller's), or 0 when
// there is no such interface. Looks from a helper thread: the caller does not move.
Result<unsigned> interface_index(const std::string &interface, const std::string &netns);

} // namespace xdpchain
