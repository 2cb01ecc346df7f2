// Link events of one network namespace over rtnetlink (libnl-route-3): interfaces that
// appear, change or go away. The socket is opened inside the namespace and keeps listening
// there whichever namespace the agent's thread is in later.
#pragma once

#include "common/result.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

struct nl_sock;

namespace xdpchain::agent {

struct LinkEvent {
  enum class Type { added_or_changed, removed };
  Type type;
  std::string interface;
  int ifindex = 0;
};

// One interface as a link dump shows it: what the agent's drift check compares.
struct LinkState {
  std::string interface;
  int ifindex = 0;
  uint32_t xdp_prog_id = 0; // the XDP program attached (any mode), 0 for none
};

class LinkWatch {
public:
  // `netns`: a name under /run/netns, or "" for the agent's own namespace.
  static Result<std::unique_ptr<LinkWatch>> open(const std::string &netns);
  ~LinkWatch();
  LinkWatch(const LinkWatch &) = delete;
  LinkWatch &operator=(const LinkWatch &) = delete;

  int fd() const;
  const std::string &netns() const { return netns_; }
  // The namespace's inode when the socket was opened (0 for the agent's own): a different
  // inode under the same name later means the namespace was re-created.
  unsigned long netns_inode() const { return netns_inode_; }

  // Reads every pending message without blocking.
  std::vector<LinkEvent> drain();
  // Every interface of the namespace with its attached XDP program: one RTM_GETLINK dump
  // (statistics left out) on a socket of its own, opened in the namespace, so a check of
  // hundreds of interfaces costs one round trip and no namespace switch.
  Result<std::vector<LinkState>> links();

private:
  LinkWatch(std::string netns, unsigned long inode)
      : netns_(std::move(netns)), netns_inode_(inode) {}
  std::string netns_;
  unsigned long netns_inode_ = 0;
  nl_sock *sock_ = nullptr;
  nl_sock *dump_sock_ = nullptr;
  std::vector<LinkEvent> pending_;
};

// The inode of /run/netns/NAME now, 0 when it is not there (or NAME is "").
unsigned long netns_inode(const std::string &netns);

} // namespace xdpchain::agent
