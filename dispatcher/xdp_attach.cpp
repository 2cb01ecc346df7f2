#include "dispatcher/xdp_attach.h"

#include "common/link_xdp.h"
#include "common/obj_info.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>

#include <cerrno>

namespace xdpchain::dispatcher {

namespace {

uint32_t mode_flag(Mode mode) {
  return mode == Mode::native ? XDP_FLAGS_DRV_MODE : XDP_FLAGS_SKB_MODE;
}

Mode other(Mode mode) {
  return mode == Mode::native ? Mode::generic : Mode::native;
}

} // namespace

std::string AttachedProgram::describe() const {
  std::string kind = libxdp_dispatcher ? "libxdp dispatcher" : "XDP program";
  if (name == "xdpc_dispatch" || name == "xdpc_root" || name == "xdpc_fused" ||
      name == "xdpc_fused_opt")
    kind = "xdpchain dispatcher whose bpffs state is elsewhere (another --bpffs, or a hidden "
           "/sys/fs/bpf?),";
  return kind + " '" + name + "' (id " + std::to_string(prog_id) + ", " + to_string(mode) +
         " mode)";
}

Result<AttachedProgram> query_attached(int ifindex) {
  auto query = query_link_xdp(ifindex);
  if (!query) return std::move(query).error();
  const LinkXdp &opts = *query;
  AttachedProgram attached;
  if (opts.drv_prog_id) {
    attached.prog_id = opts.drv_prog_id;
    attached.mode = Mode::native;
  } else if (opts.skb_prog_id) {
    attached.prog_id = opts.skb_prog_id;
    attached.mode = Mode::generic;
  } else if (opts.hw_prog_id) {
    attached.prog_id = opts.hw_prog_id;
  }
  if (attached.prog_id == 0) return attached;
  ProgFd fd(bpf_prog_get_fd_by_id(attached.prog_id));
  if (fd) {
    if (auto info = prog_info(fd); info) attached.name = info->name;
  }
  attached.libxdp_dispatcher = attached.name == "xdp_dispatcher";
  return attached;
}

Result<XdpLinkInfo> xdp_link_info(LinkRef link) {
  auto read = link_info(link);
  if (!read) return std::move(read).error().wrap("read XDP link");
  const bpf_link_info &info = *read;
  if (info.type != BPF_LINK_TYPE_XDP)
    return Error(ErrorKind::invalid_argument, "pinned link is not an XDP link");
  return XdpLinkInfo{info.id, info.prog_id, static_cast<int>(info.xdp.ifindex)};
}

namespace {

// ERANGE from an attach or swap: the driver refuses a program that is not frags-aware on
// an interface whose MTU does not fit one page (veth: "Peer MTU is too large to set XDP").
Error mtu_needs_frags(const std::string &ifname) {
  return Error(ErrorKind::not_supported,
               (ifname.empty() ? std::string("the interface") : "interface '" + ifname + "'") +
                   ": its MTU is too large for an XDP program that is not frags-aware; the chain "
                   "is frags-aware only when every member is",
               ERANGE)
      .hint("build every member with SEC(\"xdp.frags\"), or lower the MTU (ip link set dev " +
            (ifname.empty() ? std::string("IFACE") : ifname) + " mtu 1500)");
}

} // namespace

Result<LinkFd> create_xdp_link(int ifindex, const std::string &ifname, ProgRef prog, Mode mode) {
  LIBBPF_OPTS(bpf_link_create_opts, opts, .flags = mode_flag(mode));
  int fd = bpf_link_create(prog.get(), ifindex, BPF_XDP, &opts);
  if (fd >= 0) return LinkFd(fd);
  int err = errno;
  Error error = Error::from_errno(std::string("attach in ") + to_string(mode) + " mode", err);
  error.wrap("interface '" + ifname + "'");
  if (err == EOPNOTSUPP || err == EINVAL) {
    error = Error(ErrorKind::not_supported,
                  std::string("interface '") + ifname + "' does not support " + to_string(mode) +
                      " XDP mode",
                  err);
    error.hint(std::string("try --mode ") + to_string(other(mode)));
  } else if (err == ERANGE) {
    error = mtu_needs_frags(ifname);
  } else if (err == EEXIST || err == EBUSY) {
    error = Error(ErrorKind::conflict,
                  "interface '" + ifname + "' already has an XDP program attached", err);
  }
  return error;
}

Status swap_xdp_link(LinkRef link, ProgRef new_prog, ProgRef old_prog) {
  LIBBPF_OPTS(bpf_link_update_opts, opts, .flags = BPF_F_REPLACE,
              .old_prog_fd = static_cast<uint32_t>(old_prog.get()));
  if (bpf_link_update(link.get(), new_prog.get(), &opts) != 0) {
    int err = errno;
    if (err == EPERM || err == EEXIST)
      return Error(ErrorKind::conflict, "the interface's dispatcher changed underneath us", err);
    if (err == ERANGE) return mtu_needs_frags("");
    return Error::from_errno("swap dispatcher", err);
  }
  return {};
}

Status detach_netlink_program(int ifindex, Mode mode) {
  if (int err = bpf_xdp_detach(ifindex, mode_flag(mode), nullptr); err)
    return Error::from_errno("detach the foreign XDP program", err);
  return {};
}

} // namespace xdpchain::dispatcher
