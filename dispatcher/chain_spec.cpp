#include "dispatcher/chain_spec.h"

#include <linux/bpf.h>

#include <algorithm>
#include <cctype>

namespace xdpchain {

namespace {

constexpr const char *kActionNames[] = {"aborted", "drop", "pass", "tx", "redirect"};

} // namespace

MemberSpec spec_of(const ChainMember &member) {
  MemberSpec spec;
  spec.label = member.label;
  spec.object_path = member.object_path;
  spec.program = member.program;
  spec.priority = member.priority;
  spec.proceed_on = member.proceed_on;
  spec.map_pins = member.map_pins;
  spec.pin_root = member.pin_root;
  return spec;
}

const char *to_string(Mode mode) {
  return mode == Mode::native ? "native" : "generic";
}

const char *to_string(Backend backend) {
  switch (backend) {
  case Backend::freplace:
    return "freplace";
  case Backend::tailcall:
    return "tailcall";
  case Backend::fused:
    return "fused";
  default:
    return "auto";
  }
}

std::string actions_to_string(ActionMask mask) {
  std::string out;
  for (int action = XDP_ABORTED; action <= XDP_REDIRECT; ++action) {
    if (!(mask & (1u << action))) continue;
    if (!out.empty()) out += ",";
    out += kActionNames[action];
  }
  return out;
}

bool valid_label(const std::string &label) {
  if (label.empty() || label.size() > 63) return false;
  if (!std::isalnum(static_cast<unsigned char>(label.front()))) return false;
  return std::all_of(label.begin(), label.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
}

int action_from_string(const std::string &name) {
  std::string lower = name;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (lower.rfind("xdp_", 0) == 0) lower = lower.substr(4);
  for (int action = XDP_ABORTED; action <= XDP_REDIRECT; ++action)
    if (lower == kActionNames[action]) return action;
  return -1;
}

} // namespace xdpchain
