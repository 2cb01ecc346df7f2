// File descriptors as owned, typed objects. OwnedFd<Kind> closes in its destructor and is
// move-only; FdRef<Kind> borrows one without owning it. The kind says what the descriptor
// refers to, so a map cannot be passed where a program is expected:
//   Fd      any descriptor (directories, namespaces, files)
//   ProgFd  a BPF program      ProgRef borrowed
//   MapFd   a BPF map          MapRef  borrowed
//   LinkFd  a BPF link         LinkRef borrowed
// A descriptor from libbpf or the kernel gets its kind where it enters (ProgRef(fd) or
// ProgFd(fd)); one opened from a pin is checked first (dispatcher/chain_state.h).
#pragma once

#include <unistd.h>
#include <utility>

namespace xdpchain {

namespace fd_kind {
struct any;
struct prog;
struct map;
struct link;
} // namespace fd_kind

template <class Kind> class FdRef {
public:
  FdRef() = default;
  explicit FdRef(int fd) : fd_(fd) {}
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  explicit operator bool() const { return valid(); }

private:
  int fd_ = -1;
};

template <class Kind> class OwnedFd {
public:
  OwnedFd() = default;
  explicit OwnedFd(int fd) : fd_(fd) {}
  OwnedFd(const OwnedFd &) = delete;
  OwnedFd &operator=(const OwnedFd &) = delete;
  OwnedFd(OwnedFd &&other) noexcept : fd_(other.release()) {}
  OwnedFd &operator=(OwnedFd &&other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  ~OwnedFd() { reset(); }

  int get() const { return fd_; }
  FdRef<Kind> ref() const { return FdRef<Kind>(fd_); }
  // Lends the descriptor to a call that takes a borrowed one of the same kind; never from a
  // temporary owner, which would close it at once.
  operator FdRef<Kind>() const & { return ref(); }
  operator FdRef<Kind>() const && = delete;
  bool valid() const { return fd_ >= 0; }
  explicit operator bool() const { return valid(); }
  int release() { return std::exchange(fd_, -1); }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

private:
  int fd_ = -1;
};

using Fd = OwnedFd<fd_kind::any>;
using ProgFd = OwnedFd<fd_kind::prog>;
using MapFd = OwnedFd<fd_kind::map>;
using LinkFd = OwnedFd<fd_kind::link>;
using ProgRef = FdRef<fd_kind::prog>;
using MapRef = FdRef<fd_kind::map>;
using LinkRef = FdRef<fd_kind::link>;

} // namespace xdpchain
