#include "dispatcher/stale_chains.h"

#include "dispatcher/chain_state.h"
#include "dispatcher/state_dir.h"
#include "dispatcher/xdp_attach.h"

#include <cerrno>
#include <optional>

namespace xdpchain::dispatcher {

namespace {

// Why no XDP link runs the chain in `dir`; nothing when one does (or when that cannot be
// told, which is never a reason to delete).
std::optional<std::string> stale_reason(const StateDir &dir) {
  auto link = open_link_pin(dir.link_path());
  if (!link)
    return link.error().err() == ENOENT
               ? std::optional<std::string>("no XDP link (a command was stopped before "
                                            "attaching the chain)")
               : std::nullopt;
  auto info = xdp_link_info(*link);
  if (!info) return std::nullopt;
  if (info->ifindex == 0)
    return "its interface is gone (XDP link " + std::to_string(info->link_id) + " is defunct)";
  return std::nullopt;
}

} // namespace

std::vector<StaleChain> find_stale_chains(const std::string &root) {
  std::vector<StaleChain> stale;
  for (const auto &listed : StateDir::list(root)) {
    auto dir = StateDir::open_existing(listed.path);
    if (!dir) continue; // removed meanwhile
    if (auto reason = stale_reason(*dir)) stale.push_back({listed.path, *reason});
  }
  return stale;
}

Result<std::vector<StaleChain>> prune_stale_chains(const std::string &root, bool dry_run) {
  if (dry_run) return find_stale_chains(root);
  std::vector<StaleChain> pruned;
  for (const auto &candidate : find_stale_chains(root)) {
    auto dir = StateDir::open_existing(candidate.path);
    if (!dir) continue;
    XDPC_TRY(dir->lock());
    auto reason = stale_reason(*dir); // again: a writer may have attached while we waited
    if (!reason) continue;
    dir->remove_all();
    pruned.push_back({candidate.path, *reason});
  }
  return pruned;
}

} // namespace xdpchain::dispatcher
