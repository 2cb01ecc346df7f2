// An owned BPF link (aya's model): dropping it detaches the program, unless ownership was
// handed off with pin() (the bpffs pin keeps it) or release() (the caller keeps the fd).
#pragma once

#include "common/fd.h"
#include "common/result.h"

#include <cstdint>
#include <string>

namespace xdpchain::ext {

class Link {
public:
  Link() = default;
  explicit Link(LinkFd fd) : fd_(std::move(fd)) {}
  Link(Link &&) noexcept = default;
  Link &operator=(Link &&other) noexcept;
  ~Link();

  LinkRef fd() const { return fd_.ref(); }
  bool valid() const { return fd_.valid(); }
  // The kernel's id for this link (0 when unknown).
  uint32_t id() const;

  // Pins the link at `path`; from then on dropping this object leaves it attached.
  Status pin(const std::string &path);
  // Detaches now (the replaced function or hook gets its original program back).
  Status detach();
  // Hands the fd to the caller: dropping this object no longer detaches.
  LinkFd release();

private:
  LinkFd fd_;
  bool kept_ = false; // pinned or released: don't detach on drop
};

} // namespace xdpchain::ext
