#include "agent/link_watch.h"

#include "common/netns.h"

#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/socket.h>

#include <linux/rtnetlink.h>
#include <sys/stat.h>

namespace xdpchain::agent {

namespace {

struct ParseContext {
  std::vector<LinkEvent> *events;
  LinkEvent::Type type;
};

void on_link(nl_object *object, void *arg) {
  auto *context = static_cast<ParseContext *>(arg);
  auto *link = reinterpret_cast<rtnl_link *>(object);
  const char *name = rtnl_link_get_name(link);
  if (!name) return;
  context->events->push_back({context->type, name, rtnl_link_get_ifindex(link)});
}

int on_message(nl_msg *msg, void *arg) {
  auto *events = static_cast<std::vector<LinkEvent> *>(arg);
  nlmsghdr *header = nlmsg_hdr(msg);
  if (header->nlmsg_type != RTM_NEWLINK && header->nlmsg_type != RTM_DELLINK) return NL_OK;
  ParseContext context{events, header->nlmsg_type == RTM_DELLINK
                                   ? LinkEvent::Type::removed
                                   : LinkEvent::Type::added_or_changed};
  nl_msg_parse(msg, on_link, &context);
  return NL_OK;
}

} // namespace

unsigned long netns_inode(const std::string &netns) {
  if (netns.empty()) return 0;
  std::string path = netns[0] == '/' ? netns : "/run/netns/" + netns;
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return 0;
  return st.st_ino;
}

Result<std::unique_ptr<LinkWatch>> LinkWatch::open(const std::string &netns) {
  auto scope = NetnsScope::enter(netns);
  if (!scope) return std::move(scope).error();
  std::unique_ptr<LinkWatch> watch(new LinkWatch(netns, agent::netns_inode(netns)));
  watch->sock_ = nl_socket_alloc();
  if (!watch->sock_) return Error(ErrorKind::kernel, "netlink: out of memory");
  nl_socket_disable_seq_check(watch->sock_);
  nl_socket_modify_cb(watch->sock_, NL_CB_VALID, NL_CB_CUSTOM, on_message, &watch->pending_);
  if (int err = nl_connect(watch->sock_, NETLINK_ROUTE); err < 0)
    return Error(ErrorKind::kernel, std::string("netlink: connect: ") + nl_geterror(err));
  if (int err = nl_socket_add_membership(watch->sock_, RTNLGRP_LINK); err < 0)
    return Error(ErrorKind::kernel, std::string("netlink: join link group: ") + nl_geterror(err));
  nl_socket_set_nonblocking(watch->sock_);
  return watch;
}

LinkWatch::~LinkWatch() {
  if (sock_) nl_socket_free(sock_);
}

int LinkWatch::fd() const {
  return nl_socket_get_fd(sock_);
}

std::vector<LinkEvent> LinkWatch::drain() {
  while (nl_recvmsgs_default(sock_) >= 0) {
  }
  std::vector<LinkEvent> events;
  events.swap(pending_);
  return events;
}

} // namespace xdpchain::agent
