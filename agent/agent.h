// `xdpchain agent`: a long-running process that keeps the machine's chains equal to the
// manifests in a directory: applies them at start, follows file changes (inotify) and link
// events (rtnetlink), repairs drift every resync period, and serves metrics.
#pragma once

#include "dispatcher/chain.h"

#include <string>

namespace xdpchain::agent {

struct AgentOptions {
  std::string config_dir = "/etc/xdpchain";
  std::string metrics_address = "127.0.0.1:9437";
  int resync_seconds = 10;
  bool remove_on_exit = false;
  dispatcher::ChainOptions chain;
};

// Runs until SIGTERM or SIGINT. Returns the process exit code: 0 after a signal, 2 when the
// config dir or metrics address is unusable, 4 when another agent holds the bpffs root.
int run_agent(const AgentOptions &options);

} // namespace xdpchain::agent
