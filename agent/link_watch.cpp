#include "agent/link_watch.h"

#include "common/netns.h"

#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/socket.h>

#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
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

int on_dumped_link(nl_msg *msg, void *arg) {
  auto *links = static_cast<std::vector<LinkState> *>(arg);
  nlmsghdr *header = nlmsg_hdr(msg);
  if (header->nlmsg_type != RTM_NEWLINK) return NL_OK;
  nlattr *attrs[IFLA_MAX + 1] = {};
  if (nlmsg_parse(header, sizeof(ifinfomsg), attrs, IFLA_MAX, nullptr) < 0) return NL_SKIP;
  const auto *info = static_cast<const ifinfomsg *>(nlmsg_data(header));
  LinkState link;
  link.ifindex = info->ifi_index;
  if (attrs[IFLA_IFNAME]) link.interface = nla_get_string(attrs[IFLA_IFNAME]);
  if (attrs[IFLA_XDP]) {
    nlattr *xdp[IFLA_XDP_MAX + 1] = {};
    if (nla_parse_nested(xdp, IFLA_XDP_MAX, attrs[IFLA_XDP], nullptr) == 0) {
      for (int kind :
           {IFLA_XDP_PROG_ID, IFLA_XDP_DRV_PROG_ID, IFLA_XDP_SKB_PROG_ID, IFLA_XDP_HW_PROG_ID})
        if (xdp[kind] && link.xdp_prog_id == 0) link.xdp_prog_id = nla_get_u32(xdp[kind]);
    }
  }
  links->push_back(std::move(link));
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
  watch->dump_sock_ = nl_socket_alloc();
  if (!watch->dump_sock_) return Error(ErrorKind::kernel, "netlink: out of memory");
  if (int err = nl_connect(watch->dump_sock_, NETLINK_ROUTE); err < 0)
    return Error(ErrorKind::kernel, std::string("netlink: connect: ") + nl_geterror(err));
  return watch;
}

LinkWatch::~LinkWatch() {
  if (sock_) nl_socket_free(sock_);
  if (dump_sock_) nl_socket_free(dump_sock_);
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

namespace xdpchain::agent {

Result<std::vector<LinkState>> LinkWatch::links() {
  std::vector<LinkState> links;
  ifinfomsg request{};
  request.ifi_family = AF_UNSPEC;
  nl_msg *msg = nlmsg_alloc_simple(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP);
  if (!msg) return Error(ErrorKind::kernel, "netlink: out of memory");
  int err = nlmsg_append(msg, &request, sizeof request, NLMSG_ALIGNTO);
  if (err == 0) err = nla_put_u32(msg, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
  if (err == 0) err = nl_send_auto(dump_sock_, msg);
  nlmsg_free(msg);
  if (err < 0)
    return Error(ErrorKind::kernel, std::string("netlink: link dump: ") + nl_geterror(err));
  nl_cb *callbacks = nl_cb_alloc(NL_CB_DEFAULT);
  if (!callbacks) return Error(ErrorKind::kernel, "netlink: out of memory");
  nl_cb_set(callbacks, NL_CB_VALID, NL_CB_CUSTOM, on_dumped_link, &links);
  err = nl_recvmsgs(dump_sock_, callbacks);
  nl_cb_put(callbacks);
  if (err < 0)
    return Error(ErrorKind::kernel, std::string("netlink: link dump: ") + nl_geterror(err));
  return links;
}

} // namespace xdpchain::agent
