#include "common/netns.h"

#include <fcntl.h>
#include <linux/nsfs.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <thread>

namespace xdpchain {

std::string netns_path(const std::string &name) {
  if (!name.empty() && name[0] == '/') return name;
  return std::string(kNetnsDir) + "/" + name;
}

Result<Fd> open_netns(const std::string &name) {
  std::string path = netns_path(name);
  // A name comes from a manifest or the command line: any local user can put a FIFO at a
  // path such as /tmp/x. O_NONBLOCK opens one without waiting for a writer, and the
  // namespace-type ioctl then refuses everything that is not a network namespace.
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) return Error::from_errno("network namespace '" + name + "': open " + path, errno);
  Fd owned(fd);
  struct stat st {};
  if (::fstat(owned.get(), &st) != 0)
    return Error::from_errno("network namespace '" + name + "': stat " + path, errno);
  if (!S_ISREG(st.st_mode) || ::ioctl(owned.get(), NS_GET_NSTYPE) != CLONE_NEWNET)
    return Error(ErrorKind::invalid_argument,
                 "network namespace '" + name + "': " + path + " is not a network namespace");
  return owned;
}

Result<NetnsScope> NetnsScope::enter(const std::string &name) {
  if (name.empty()) return NetnsScope(Fd());
  auto target = open_netns(name);
  if (!target) return std::move(target).error();
  return enter(*target, name);
}

Result<NetnsScope> NetnsScope::enter(const Fd &target, const std::string &name) {
  if (!target) return NetnsScope(Fd());
  int original = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (original < 0) return Error::from_errno("network namespace: open own namespace", errno);
  Fd original_fd(original);
  if (::setns(target.get(), CLONE_NEWNET) != 0)
    return Error::from_errno("network namespace '" + name + "': setns", errno);
  return NetnsScope(std::move(original_fd));
}

NetnsScope::~NetnsScope() {
  if (!original_) return;
  if (::setns(original_.get(), CLONE_NEWNET) != 0) {
    // Carrying on in the wrong namespace could change the wrong interface's chain.
    std::perror("xdpchain: network namespace: returning to the original namespace");
    std::abort();
  }
}

bool netns_exists(const std::string &name) {
  struct stat st {};
  return !name.empty() && ::stat(netns_path(name).c_str(), &st) == 0;
}

Result<unsigned> interface_index(const std::string &interface, const std::string &netns) {
  if (netns.empty()) return ::if_nametoindex(interface.c_str());
  Result<unsigned> result = 0u;
  std::thread worker([&] {
    auto scope = NetnsScope::enter(netns);
    if (!scope) {
      result = std::move(scope).error();
      return;
    }
    result = ::if_nametoindex(interface.c_str());
  });
  worker.join();
  return result;
}

} // namespace xdpchain
