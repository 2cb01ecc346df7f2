#include "common/link_xdp.h"

#include "common/fd.h"

#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace xdpchain {

namespace {

struct Request {
  nlmsghdr header;
  ifinfomsg info;
  rtattr mask_attr;
  uint32_t mask;
};

// Walks the attributes in [data, data + length), calling `on(type, payload, size)`.
template <typename F> void for_each_attr(const char *data, size_t length, F on) {
  while (length >= sizeof(rtattr)) {
    const auto *attr = reinterpret_cast<const rtattr *>(data);
    if (attr->rta_len < sizeof(rtattr) || attr->rta_len > length) return;
    on(attr->rta_type & NLA_TYPE_MASK, data + RTA_LENGTH(0), attr->rta_len - RTA_LENGTH(0));
    size_t step = RTA_ALIGN(attr->rta_len);
    if (step >= length) return;
    data += step;
    length -= step;
  }
}

uint32_t u32_of(const char *payload, size_t size) {
  uint32_t value = 0;
  if (size >= sizeof value) std::memcpy(&value, payload, sizeof value);
  return value;
}

} // namespace

Result<LinkXdp> query_link_xdp(int ifindex) {
  Fd sock(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
  if (!sock) return Error::from_errno("query XDP programs: netlink socket", errno);
  Request request{};
  request.header.nlmsg_len = sizeof request;
  request.header.nlmsg_type = RTM_GETLINK;
  request.header.nlmsg_flags = NLM_F_REQUEST;
  request.header.nlmsg_seq = 1;
  request.info.ifi_family = AF_UNSPEC;
  request.info.ifi_index = ifindex;
  request.mask_attr.rta_type = IFLA_EXT_MASK;
  request.mask_attr.rta_len = RTA_LENGTH(sizeof(uint32_t));
  request.mask = RTEXT_FILTER_SKIP_STATS;
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (::sendto(sock.get(), &request, sizeof request, 0, reinterpret_cast<sockaddr *>(&kernel),
               sizeof kernel) < 0)
    return Error::from_errno("query XDP programs: netlink send", errno);
  // On the heap: a thread's static TLS is carved from its stack, and threads such as the
  // metrics server's have small stacks.
  std::vector<char> storage(32768);
  char *buffer = storage.data();
  for (;;) {
    ssize_t n = ::recv(sock.get(), buffer, storage.size(), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::from_errno("query XDP programs: netlink receive", errno);
    size_t left = static_cast<size_t>(n);
    for (auto *header = reinterpret_cast<nlmsghdr *>(buffer); NLMSG_OK(header, left);
         header = NLMSG_NEXT(header, left)) {
      if (header->nlmsg_type == NLMSG_ERROR) {
        const auto *error = static_cast<const nlmsgerr *>(NLMSG_DATA(header));
        if (error->error == 0) continue;
        if (error->error == -ENODEV) return LinkXdp{}; // as bpf_xdp_query: nothing attached
        return Error::from_errno("query XDP programs", -error->error);
      }
      if (header->nlmsg_type != RTM_NEWLINK) continue;
      const auto *info = static_cast<const ifinfomsg *>(NLMSG_DATA(header));
      if (info->ifi_index != ifindex) continue;
      LinkXdp xdp;
      const char *attrs = reinterpret_cast<const char *>(info) + NLMSG_ALIGN(sizeof *info);
      size_t length = header->nlmsg_len - NLMSG_LENGTH(NLMSG_ALIGN(sizeof *info));
      for_each_attr(attrs, length, [&](unsigned type, const char *payload, size_t size) {
        if (type != IFLA_XDP) return;
        for_each_attr(payload, size, [&](unsigned inner, const char *value, size_t bytes) {
          if (inner == IFLA_XDP_DRV_PROG_ID) xdp.drv_prog_id = u32_of(value, bytes);
          if (inner == IFLA_XDP_SKB_PROG_ID) xdp.skb_prog_id = u32_of(value, bytes);
          if (inner == IFLA_XDP_HW_PROG_ID) xdp.hw_prog_id = u32_of(value, bytes);
        });
      });
      return xdp;
    }
  }
}

} // namespace xdpchain
