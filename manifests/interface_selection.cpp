#include "manifests/interface_selection.h"

#include "common/netns.h"

#include <fnmatch.h>
#include <net/if.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <thread>

namespace xdpchain::manifests {

namespace {

struct NamespaceLinks {
  std::vector<std::string> names;
  std::string primary; // interface of the IPv4 (else IPv6) default route; "" = none
};

// The default route's device from the kernel's route tables of the calling thread's
// namespace (/proc/thread-self/net/route: Iface Destination Gateway Flags ... Mask).
std::string ipv4_default_route_device() {
  std::ifstream in("/proc/thread-self/net/route");
  std::string line;
  std::getline(in, line); // header
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string iface, destination, gateway, flags, refcnt, use, metric, mask;
    if (!(fields >> iface >> destination >> gateway >> flags >> refcnt >> use >> metric >> mask))
      continue;
    if (destination == "00000000" && mask == "00000000") return iface;
  }
  return "";
}

// /proc/thread-self/net/ipv6_route: dest prefixlen src srclen nexthop metric ref use flags dev.
std::string ipv6_default_route_device() {
  std::ifstream in("/proc/thread-self/net/ipv6_route");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string destination, prefix, source, source_len, nexthop, metric, ref, use, flags, dev;
    if (!(fields >> destination >> prefix >> source >> source_len >> nexthop >> metric >> ref >>
          use >> flags >> dev))
      continue;
    if (prefix == "00" && destination == std::string(32, '0') && dev != "lo") return dev;
  }
  return "";
}

Result<NamespaceLinks> read_links_here() {
  NamespaceLinks links;
  struct if_nameindex *list = if_nameindex();
  if (!list) return Error::from_errno("if_nameindex", errno);
  for (auto *entry = list; entry->if_index != 0; ++entry)
    links.names.emplace_back(entry->if_name);
  if_freenameindex(list);
  std::sort(links.names.begin(), links.names.end());
  links.primary = ipv4_default_route_device();
  if (links.primary.empty()) links.primary = ipv6_default_route_device();
  return links;
}

// Reads from a helper thread that enters `netns`: the caller does not move.
Result<NamespaceLinks> read_links(const std::string &netns) {
  if (netns.empty()) return read_links_here();
  std::optional<Result<NamespaceLinks>> out;
  std::thread([&] {
    auto scope = NetnsScope::enter(netns);
    if (!scope)
      out.emplace(std::move(scope).error());
    else
      out.emplace(read_links_here());
  }).join();
  return std::move(*out);
}

} // namespace

std::optional<std::string> pattern_problem(const std::string &pattern) {
  if (pattern.empty()) return "is empty";
  if (pattern.size() >= IFNAMSIZ)
    return "is longer than " + std::to_string(IFNAMSIZ - 1) + " characters";
  for (char c : pattern) {
    if (c == '/' || c == ':' || std::isspace(static_cast<unsigned char>(c)))
      return std::string("holds '") + c + "', which no interface name can";
  }
  size_t open = pattern.find('[');
  while (open != std::string::npos) {
    size_t start = open + 1;
    if (start < pattern.size() && (pattern[start] == '!' || pattern[start] == '^')) ++start;
    if (start < pattern.size() && pattern[start] == ']') ++start; // ']' first is literal
    size_t close = pattern.find(']', start);
    if (close == std::string::npos) return "has a '[' without its closing ']'";
    open = pattern.find('[', close + 1);
  }
  return std::nullopt;
}

std::string describe(const InterfaceSelection &selection) {
  if (selection.primary) return "spec.interfaceSelector {primary: true}";
  std::string out = "spec.interfaces [";
  for (size_t i = 0; i < selection.patterns.size(); ++i)
    out += (i ? ", " : "") + selection.patterns[i];
  return out + "]";
}

std::vector<std::string> pick_interfaces(const InterfaceSelection &selection,
                                         const std::vector<std::string> &names,
                                         const std::string &primary) {
  std::vector<std::string> picked;
  if (selection.primary && !primary.empty()) picked.push_back(primary);
  for (const auto &name : names) {
    if (name == "lo") continue;
    for (const auto &pattern : selection.patterns)
      if (fnmatch(pattern.c_str(), name.c_str(), 0) == 0) {
        picked.push_back(name);
        break;
      }
  }
  std::sort(picked.begin(), picked.end());
  picked.erase(std::unique(picked.begin(), picked.end()), picked.end());
  return picked;
}

Result<std::string> primary_interface(const std::string &netns) {
  auto links = read_links(netns);
  if (!links) return std::move(links).error();
  return links->primary;
}

Result<std::vector<std::string>> select_interfaces(const InterfaceSelection &selection,
                                                   const std::string &netns) {
  auto links = read_links(netns);
  if (!links) return std::move(links).error();
  return pick_interfaces(selection, links->names, links->primary);
}

Result<std::vector<ChainTarget>> resolve_targets(const std::vector<ChainTarget> &targets) {
  std::vector<ChainTarget> out;
  for (const auto &target : targets) {
    if (!target.selection.given()) {
      out.push_back(target);
      continue;
    }
    std::string where = target.netns.empty() ? "" : " in network namespace '" + target.netns + "'";
    auto names = select_interfaces(target.selection, target.netns);
    if (!names)
      return std::move(names.error()).wrap(target.origin + ": " + describe(target.selection));
    if (names->empty())
      return Error(ErrorKind::invalid_argument, target.origin + ": document '" + target.name +
                                                    "': " + describe(target.selection) +
                                                    " matches no interface" + where);
    for (const auto &name : *names) {
      ChainTarget one = target;
      one.spec.interface = name;
      out.push_back(std::move(one));
    }
  }
  for (size_t i = 0; i < out.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      if (out[i].netns == out[j].netns && out[i].spec.interface == out[j].spec.interface)
        return Error(ErrorKind::invalid_argument,
                     out[i].origin + ": interface '" + out[i].spec.interface +
                         "' is also selected by the document at " + out[j].origin)
            .hint("one interface runs one chain: make the selections disjoint");
  return out;
}

} // namespace xdpchain::manifests
