#include "agent/chain_fingerprint.h"

#include <algorithm>
#include <functional>
#include <string_view>

namespace xdpchain::agent {

namespace {

// Fields are written with their length, so no value can pass for another field.
void put(std::string &out, std::string_view text) {
  out += std::to_string(text.size());
  out += ':';
  out += text;
}

void put(std::string &out, long long value) {
  put(out, std::to_string(value));
}

} // namespace

std::string chain_fingerprint(const ChainTarget &target) {
  std::string out;
  put(out, target.name);
  put(out, target.netns);
  put(out, target.force ? 1 : 0);
  const ChainSpec &spec = target.spec;
  put(out, spec.interface);
  put(out, static_cast<int>(spec.mode));
  put(out, static_cast<int>(spec.backend));
  put(out, spec.counters ? (*spec.counters ? 1 : 0) : -1);
  for (const auto &member : spec.members) {
    put(out, member.label);
    put(out, member.object_path);
    std::string_view bytes(reinterpret_cast<const char *>(member.object_bytes.data()),
                           member.object_bytes.size());
    put(out, static_cast<long long>(std::hash<std::string_view>{}(bytes)));
    put(out, member.program);
    put(out, member.priority ? *member.priority : -1);
    put(out, member.proceed_on ? static_cast<long long>(*member.proceed_on) : -1);
    for (const auto &pin : member.map_pins) {
      put(out, pin.map);
      put(out, pin.path);
    }
    put(out, "|");
    put(out, member.pin_root);
  }
  return out;
}

std::vector<std::string> object_paths(const ChainTarget &target) {
  std::vector<std::string> paths;
  for (const auto &member : target.spec.members)
    if (!member.object_path.empty() &&
        std::find(paths.begin(), paths.end(), member.object_path) == paths.end())
      paths.push_back(member.object_path);
  return paths;
}

} // namespace xdpchain::agent
