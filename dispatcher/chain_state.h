// Reading an interface's chain back from bpffs pins and the kernel, and clearing away what
// an interrupted command left behind.
#pragma once

#include "common/fd.h"
#include "common/result.h"
#include "dispatcher/chain_config.h"
#include "dispatcher/state_dir.h"

#include <string>

namespace xdpchain::dispatcher {

struct CurrentChain {
  bool present = false;
  LinkFd link;       // the pinned XDP link
  ProgFd dispatcher; // the program the link runs (freplace dispatcher or tail-call root)
  uint32_t dispatcher_id = 0;
  uint32_t link_id = 0;
  std::string generation_path;
  ChainConfig config;
};

Result<CurrentChain> read_current_chain(const StateDir &dir);

// Removes generation directories that are not the attached one, and a link pin whose
// interface went away. Call with the lock held.
void collect_garbage(const StateDir &dir, const CurrentChain &current);

// Opens a pinned object of the kind the caller expects; Error not_found (errno ENOENT) when
// the pin is missing, conflict when something else is pinned there (a hostile or damaged
// state directory).
Result<ProgFd> open_prog_pin(const std::string &path);
Result<MapFd> open_map_pin(const std::string &path);
Result<LinkFd> open_link_pin(const std::string &path);
Status pin_fd(int fd, const std::string &path);

} // namespace xdpchain::dispatcher
