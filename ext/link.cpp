#include "ext/link.h"

#include "common/obj_info.h"

#include <bpf/bpf.h>

#include <cerrno>

namespace xdpchain::ext {

Link &Link::operator=(Link &&other) noexcept {
  if (this != &other) {
    if (fd_.valid() && !kept_) bpf_link_detach(fd_.get());
    fd_ = std::move(other.fd_);
    kept_ = other.kept_;
  }
  return *this;
}

Link::~Link() {
  if (fd_.valid() && !kept_) bpf_link_detach(fd_.get());
}

uint32_t Link::id() const {
  if (!fd_.valid()) return 0;
  auto info = link_info(fd_);
  return info ? info->id : 0;
}

Status Link::pin(const std::string &path) {
  if (bpf_obj_pin(fd_.get(), path.c_str()) != 0)
    return Error::from_errno("pin link at '" + path + "'", errno);
  kept_ = true;
  return {};
}

Status Link::detach() {
  if (!fd_.valid()) return Error(ErrorKind::invalid_argument, "link: not attached");
  // Tracing (freplace) links have no BPF_LINK_DETACH: they detach when their last
  // reference goes, and an owned link has no other.
  if (bpf_link_detach(fd_.get()) != 0 && errno != EOPNOTSUPP && errno != EINVAL)
    return Error::from_errno("link: detach", errno);
  fd_.reset();
  return {};
}

LinkFd Link::release() {
  kept_ = true;
  return std::move(fd_);
}

} // namespace xdpchain::ext
