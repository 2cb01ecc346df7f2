// The chain's description, stored in a small read-only (frozen) array map that belongs to
// one dispatcher generation: entry 0 is the header, entry 1+k describes slot k. Status and
// later changes read the chain back from here. Layout in docs/protocol.md.
#pragma once

#include "common/fd.h"
#include "common/result.h"
#include "dispatcher/chain.h"

#include <cstdint>
#include <string>
#include <vector>

namespace xdpchain::dispatcher {

inline constexpr uint32_t kConfigVersion = 1;
inline constexpr uint32_t kConfigRecordSize = 1024;

// A member (label, object, priority, continue set, pins) and where the chain keeps it.
struct SlotRecord : ChainMember {
  uint32_t counter_index = 0;
  uint32_t member_prog_id = 0;
  uint32_t sequence = 0; // order added: the last tie-break
  bool frags = false;
  Counters baseline; // counter values when the member joined
};

struct ChainConfig {
  Backend backend = Backend::freplace;
  Mode mode = Mode::native;
  bool frags = false;
  bool counters = true; // per-member counters (only the fused backend can turn them off)
  uint32_t generation = 0;
  std::vector<SlotRecord> slots;
};

// Creates the map, writes `config` and freezes it.
Result<MapFd> write_config_map(const ChainConfig &config);
Result<ChainConfig> read_config_map(MapRef config_map);

} // namespace xdpchain::dispatcher
