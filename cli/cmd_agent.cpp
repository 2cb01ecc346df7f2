// xdpchain agent: keeps this machine's chains equal to the manifests in a directory, follows
// interfaces and file changes, repairs drift and serves Prometheus metrics (docs/agent.md).
#include "agent/agent.h"
#include "cli/chain_options.h"
#include "cli/command_registry.h"

#include <memory>

namespace xdpchain::cli {

namespace {

void setup(CLI::App &app, GlobalOptions &global) {
  auto opts = std::make_shared<agent::AgentOptions>();
  auto *sub = app.add_subcommand("agent", "keep the chains of a manifest directory in place");
  sub->add_option("--config-dir", opts->config_dir, "directory of XdpChain manifests (*.yaml)")
      ->capture_default_str();
  sub->add_option("--metrics-address", opts->metrics_address,
                  "ADDR:PORT of the /metrics and /healthz endpoint")
      ->capture_default_str();
  sub->add_option("--resync", opts->resync_seconds, "seconds between drift checks of every chain")
      ->capture_default_str()
      ->check(CLI::Range(1, 86400));
  sub->add_flag("--remove-on-exit", opts->remove_on_exit,
                "remove the chains on SIGTERM/SIGINT (default: leave them running)");
  sub->footer("Applies every manifest at start, then: a changed file is applied (a file with a\n"
              "problem changes nothing and keeps its last good chains), a deleted file's chains\n"
              "are removed, an interface that appears gets its chain, and a chain changed out\n"
              "of band is put back within the resync period. SIGHUP re-reads every file.\n"
              "One agent per --bpffs root. See docs/agent.md and docs/metrics.md.\n\n"
              "examples:\n  xdpchain agent\n"
              "  xdpchain agent --config-dir ./manifests --metrics-address 0.0.0.0:9437");
  sub->callback([opts, &global] {
    opts->chain = chain_options(global);
    global.exit_code = agent::run_agent(*opts);
  });
}

const RegisterCommand registered{{"agent", 80, setup}};

} // namespace

} // namespace xdpchain::cli
