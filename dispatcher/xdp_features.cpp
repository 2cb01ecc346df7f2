#include "dispatcher/xdp_features.h"

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iterator>
#include <vector>

namespace xdpchain::dispatcher {

namespace {

// linux/netdev.h (not in every build host's headers).
constexpr uint8_t kNetdevCmdDevGet = 1;
constexpr uint16_t kNetdevAttrIfindex = 1;
constexpr uint16_t kNetdevAttrXdpFeatures = 3;

class NetlinkSocket {
public:
  NetlinkSocket() : fd_(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC)) {}
  ~NetlinkSocket() {
    if (fd_ >= 0) close(fd_);
  }
  NetlinkSocket(const NetlinkSocket &) = delete;
  NetlinkSocket &operator=(const NetlinkSocket &) = delete;
  int get() const { return fd_; }

private:
  int fd_;
};

void put_attr(std::vector<char> &message, uint16_t type, const void *data, size_t length) {
  nlattr attr{static_cast<uint16_t>(NLA_HDRLEN + length), type};
  size_t at = message.size();
  message.resize(at + NLA_ALIGN(NLA_HDRLEN + length));
  std::memcpy(message.data() + at, &attr, sizeof attr);
  std::memcpy(message.data() + at + NLA_HDRLEN, data, length);
}

// One request and its one reply: the reply's attributes as (type, payload) callbacks.
template <typename OnAttr>
Result<bool> request(int fd, uint16_t family, uint8_t command, const std::vector<char> &attrs,
                     OnAttr on_attr) {
  std::vector<char> message(NLMSG_HDRLEN + GENL_HDRLEN);
  message.insert(message.end(), attrs.begin(), attrs.end());
  nlmsghdr header{static_cast<uint32_t>(message.size()), family, NLM_F_REQUEST, 1, 0};
  genlmsghdr genl{command, 1, 0};
  std::memcpy(message.data(), &header, sizeof header);
  std::memcpy(message.data() + NLMSG_HDRLEN, &genl, sizeof genl);
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (sendto(fd, message.data(), message.size(), 0, reinterpret_cast<sockaddr *>(&kernel),
             sizeof kernel) < 0)
    return Error::from_errno("netlink send", errno);
  std::vector<char> reply(16384);
  ssize_t got = recv(fd, reply.data(), reply.size(), 0);
  if (got < 0) return Error::from_errno("netlink receive", errno);
  for (auto *nlh = reinterpret_cast<nlmsghdr *>(reply.data()); NLMSG_OK(nlh, got);
       nlh = NLMSG_NEXT(nlh, got)) {
    if (nlh->nlmsg_type == NLMSG_ERROR) {
      int err = -reinterpret_cast<nlmsgerr *>(NLMSG_DATA(nlh))->error;
      if (err != 0) return Error::from_errno("netlink request", err);
      continue;
    }
    char *payload = static_cast<char *>(NLMSG_DATA(nlh)) + GENL_HDRLEN;
    int left = static_cast<int>(nlh->nlmsg_len) - NLMSG_HDRLEN - GENL_HDRLEN;
    for (auto *attr = reinterpret_cast<nlattr *>(payload);
         left >= NLA_HDRLEN && attr->nla_len >= NLA_HDRLEN && attr->nla_len <= left;
         left -= NLA_ALIGN(attr->nla_len),
              attr = reinterpret_cast<nlattr *>(reinterpret_cast<char *>(attr) +
                                                NLA_ALIGN(attr->nla_len)))
      on_attr(attr->nla_type & NLA_TYPE_MASK, reinterpret_cast<char *>(attr) + NLA_HDRLEN,
              attr->nla_len - NLA_HDRLEN);
    return true;
  }
  return Error(ErrorKind::kernel, "netlink: no reply");
}

} // namespace

Result<uint64_t> query_xdp_features(int ifindex) {
  NetlinkSocket socket;
  if (socket.get() < 0) return Error::from_errno("netlink socket", errno);
  std::vector<char> name;
  put_attr(name, CTRL_ATTR_FAMILY_NAME, "netdev", sizeof "netdev");
  uint16_t family = 0;
  auto found = request(socket.get(), GENL_ID_CTRL, CTRL_CMD_GETFAMILY, name,
                       [&](uint16_t type, const char *data, size_t length) {
                         if (type == CTRL_ATTR_FAMILY_ID && length >= sizeof family)
                           std::memcpy(&family, data, sizeof family);
                       });
  if (!found || family == 0)
    return Error(ErrorKind::not_supported,
                 "this kernel does not report XDP features (netdev netlink family, Linux 6.3+)");
  std::vector<char> device;
  uint32_t index = static_cast<uint32_t>(ifindex);
  put_attr(device, kNetdevAttrIfindex, &index, sizeof index);
  uint64_t features = 0;
  bool reported = false;
  auto got = request(socket.get(), family, kNetdevCmdDevGet, device,
                     [&](uint16_t type, const char *data, size_t length) {
                       if (type == kNetdevAttrXdpFeatures && length >= sizeof features) {
                         std::memcpy(&features, data, sizeof features);
                         reported = true;
                       }
                     });
  if (!got) return std::move(got).error();
  if (!reported) return Error(ErrorKind::not_supported, "the kernel reported no XDP features");
  return features;
}

std::string xdp_features_to_string(uint64_t features) {
  static const char *const names[] = {"basic",      "redirect", "ndo-xmit",   "xsk-zerocopy",
                                      "hw-offload", "rx-sg",    "ndo-xmit-sg"};
  std::string out;
  for (size_t bit = 0; bit < std::size(names); ++bit)
    if (features & (uint64_t{1} << bit)) out += (out.empty() ? "" : ", ") + std::string(names[bit]);
  return out.empty() ? "none" : out;
}

} // namespace xdpchain::dispatcher
