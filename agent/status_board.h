// What the agent knows about itself, written by its main loop and read by the metrics
// endpoint from the HTTP server's threads: a copy is taken under the mutex.
#pragma once

#include <xdpchain/target.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace xdpchain::agent {

struct ManifestFileReport {
  std::string path;
  std::vector<std::string> problems; // shown ones, safe to publish (agent/problem_text.h)
  size_t problem_count = 0;          // all of them
  std::string read_error;            // the file cannot be read now; "" when it can
};

// The last apply of one target's chain.
struct ApplyRecord {
  bool ok = false;
  double unix_time = 0; // when it ran (seconds since the epoch)
  std::string error;    // when !ok
};

struct BoardSnapshot {
  std::vector<ChainTarget> targets;
  std::map<std::string, ApplyRecord> last_apply; // by interface_key()
  std::vector<ManifestFileReport> files;
  uint64_t applies = 0;       // swaps that changed a chain (any reason)
  uint64_t apply_errors = 0;  // applies that failed
  uint64_t drift_repairs = 0; // chains put back after an out-of-band change
  uint64_t removals = 0;      // chains removed because no manifest describes them any more
  std::map<std::string, uint64_t> interface_events; // "appeared", "gone"
  uint64_t config_reloads = 0;
  uint64_t manifest_read_errors = 0; // a file or the directory could not be read
  bool config_dir_readable = true;
};

class StatusBoard {
public:
  BoardSnapshot snapshot() const {
    std::lock_guard lock(mutex_);
    return board_;
  }
  template <typename F> void update(F &&f) {
    std::lock_guard lock(mutex_);
    f(board_);
  }

private:
  mutable std::mutex mutex_;
  BoardSnapshot board_;
};

} // namespace xdpchain::agent
