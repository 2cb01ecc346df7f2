// Public API (docs/library.md). Plain data describing the chain an interface should run:
// no kernel handles here. The CLI's add/remove, manifests and embedding programs all build
// these; plan and apply read them.
#pragma once

#include <xdpchain/export.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace xdpchain {

enum class Mode { native, generic };
enum class Backend { automatic, freplace, tailcall, fused };

// Set of XDP actions, bit (1 << XDP_xxx). XDP_ABORTED=0 .. XDP_REDIRECT=4.
using ActionMask = uint32_t;
inline constexpr ActionMask kDefaultProceedOn = 1u << 2; // XDP_PASS, as libxdp

// Hard limits, documented in docs/protocol.md.
inline constexpr int kMaxMembersFreplace = 128;
inline constexpr int kMaxMembersTailcall = 32; // kernel tail-call limit is 33 hops
inline constexpr int kMaxMembersFused = 128;   // counter blocks; see docs/backends.md
inline constexpr int kDefaultPriority = 50;    // as libxdp
inline constexpr int kMinPriority = 0;
inline constexpr int kMaxPriority = 1000;

struct MapPin {
  std::string map;  // map name inside the object
  std::string path; // bpffs path: reused if it exists, pinned there otherwise
  bool operator==(const MapPin &) const = default;
};

struct MemberSpec {
  std::string label;       // unique per interface; defaults to the program name
  std::string object_path; // ELF object (absolute path)
  // Or the ELF object's bytes (object_path empty), e.g. embedded in the calling program:
  // the same size limit and checks as a file. They are not kept: a chain read back has
  // neither for this member, and such a spec keeps the member's loaded program.
  std::vector<std::byte> object_bytes;
  std::string program; // program (function) name; empty = the object's only XDP program
  // Unset = take it from the object's XDP_RUN_CONFIG metadata, else the default.
  std::optional<int> priority;
  std::optional<ActionMask> proceed_on;
  std::vector<MapPin> map_pins;
  // Directory for maps declared with LIBBPF_PIN_BY_NAME (shared between members).
  std::string pin_root;
};

// A member as a chain runs it, every setting resolved (priority and continue set from the
// spec, else the object's XDP_RUN_CONFIG, else the defaults). The one shape a member has in
// the chain's stored config, in ChainStatus and in the planner; MemberSpec is what a caller
// asks for, and spec_of turns a running member back into the spec that keeps it.
struct ChainMember {
  std::string label;
  std::string object_path; // empty for a member given as bytes
  std::string program;
  uint64_t object_hash = 0; // content hash of the object when it was loaded
  int priority = kDefaultPriority;
  ActionMask proceed_on = kDefaultProceedOn;
  std::vector<MapPin> map_pins;
  std::string pin_root;
};

XDPCHAIN_API MemberSpec spec_of(const ChainMember &member);

struct ChainSpec {
  std::string interface;
  Mode mode = Mode::native;
  Backend backend = Backend::automatic;
  // Per-member counters; unset keeps the current chain's setting (on for a new chain).
  std::optional<bool> counters;
  // Any order; the chain runs them sorted (see order.h).
  std::vector<MemberSpec> members;
};

XDPCHAIN_API const char *to_string(Mode mode);
XDPCHAIN_API const char *to_string(Backend backend);
// "pass,drop" style list of the actions in `mask`, lower-case, in action order.
XDPCHAIN_API std::string actions_to_string(ActionMask mask);
// Labels: letters, digits, '_', '-' and '.', at most 63, starting with a letter or digit.
XDPCHAIN_API bool valid_label(const std::string &label);
// Accepts "pass", "XDP_PASS", "Pass"; returns -1 when unknown.
XDPCHAIN_API int action_from_string(const std::string &name);

} // namespace xdpchain
