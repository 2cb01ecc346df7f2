// xdpchain status [IFACE] [--json]: the chain as the kernel and bpffs report it.
#include "cli/chain_options.h"
#include "cli/command_registry.h"
#include "cli/json_output.h"
#include "cli/report.h"
#include "dispatcher/stale_chains.h"
#include "dispatcher/state_dir.h"

#include <xdpchain/chain.h>

#include <net/if.h>
#include <sys/stat.h>

#include <iostream>

namespace xdpchain::cli {

namespace {

struct StatusOptions {
  std::string interface;
};

// Interfaces of this network namespace that have xdpchain state under the root.
std::vector<std::string> interfaces_with_state(const std::string &root) {
  std::vector<std::string> names;
  struct stat st;
  if (stat("/proc/thread-self/ns/net", &st) != 0) return names;
  for (const auto &dir : dispatcher::StateDir::list(root)) {
    char ifname[IF_NAMESIZE] = {};
    if (dir.netns_inode == st.st_ino && if_indextoname(dir.ifindex, ifname))
      names.push_back(ifname);
  }
  return names;
}

int run_status(const StatusOptions &opts, const GlobalOptions &global) {
  std::vector<std::string> names;
  if (!opts.interface.empty())
    names.push_back(opts.interface);
  else
    names = interfaces_with_state(global.bpffs_root);
  // One interface or all of them: the same document, a list of chains.
  nlohmann::json chains = nlohmann::json::array();
  for (const auto &name : names) {
    // The global --netns has already moved us into the interfaces' namespace.
    auto chain = Chain::open(name, "", chain_options(global));
    if (!chain) return report_error(chain.error(), global);
    auto status = chain->status();
    if (!status) return report_error(status.error(), global);
    if (global.json)
      chains.push_back(status_json(*status));
    else
      std::cout << status_table(*status, global.verbose);
  }
  if (global.json) {
    nlohmann::json out = json_document();
    out["chains"] = chains;
    if (opts.interface.empty())
      out["stale_chains"] = dispatcher::find_stale_chains(global.bpffs_root).size();
    print_json(out);
    return kExitOk;
  }
  if (!opts.interface.empty()) return kExitOk;
  if (names.empty()) std::cout << "no xdpchain chains in this network namespace\n";
  if (const auto stale = dispatcher::find_stale_chains(global.bpffs_root); !stale.empty())
    std::cout << "note: " << stale.size()
              << " chain state(s) left by interfaces that are gone hold pinned programs "
                 "and maps; `xdpchain prune` removes them\n";
  return kExitOk;
}

void setup(CLI::App &app, GlobalOptions &global) {
  auto opts = std::make_shared<StatusOptions>();
  auto *sub = app.add_subcommand(
      "status", "show chains: order, priorities, continue sets, ids, mode, backend, counters");
  sub->add_option("interface", opts->interface, "network interface (default: every chain)");
  sub->footer("examples:\n  xdpchain status\n  xdpchain status veth0 --json");
  sub->callback([opts, &global] { global.exit_code = run_status(*opts, global); });
}

const RegisterCommand registered{{"status", 30, setup}};

} // namespace

} // namespace xdpchain::cli
