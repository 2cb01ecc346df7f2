// A running `xdpchain agent` for the tests: started on a config dir and a private bpffs
// root, its stderr kept in a file, its metrics on a free loopback port.
#pragma once

#include "tests/agent/background_process.h"

#include <chrono>
#include <csignal>
#include <string>
#include <vector>

namespace xdpchain::test {

class AgentProcess {
public:
  // Starts `xdpchain --bpffs BPFFS agent --config-dir DIR --metrics-address 127.0.0.1:0
  // --resync RESYNC EXTRA...` and waits until it logs "ready" (throws std::runtime_error,
  // with its log, when it exits or is not ready within 30 s).
  // `prefix` runs before the command (e.g. setpriv, see unit_capabilities()).
  AgentProcess(const std::string &bpffs_root, const std::string &config_dir, int resync_seconds,
               const std::vector<std::string> &extra = {},
               const std::vector<std::string> &prefix = {});
  int port() const { return port_; }
  std::string log() const { return process_.log(); }
  // GET http://127.0.0.1:PORT/PATH with curl; the body ("" when the request fails).
  std::string http_get(const std::string &path) const;
  // The value of the one sample of /metrics whose name and labels start with `prefix`
  // (e.g. `xdpchain_drift_repairs_total` or `xdpchain_manifest_valid{file="..."}`); -1 when
  // there is none.
  double metric(const std::string &prefix) const;

  pid_t pid() const { return process_.pid(); }
  bool running() { return process_.running(); }
  // The agent's resident memory now, in KiB (VmRSS); -1 when it cannot be read.
  long rss_kib() const;

  // Sends `signal` (SIGHUP: reload) and returns at once.
  void signal(int signal) const { ::kill(process_.pid(), signal); }
  // Sends `signal` and waits up to `timeout` for the exit; the exit code, -1 on timeout.
  int stop(int signal, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    return process_.stop(signal, timeout);
  }

private:
  BackgroundProcess process_;
  int port_ = 0;
};

// setpriv arguments that run a command with the systemd unit's capabilities only
// (deploy/systemd: CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN, CAP_SYS_ADMIN): root without
// CAP_DAC_OVERRIDE, so file permissions apply to it as to the unit.
std::vector<std::string> unit_capabilities();

// GET `url` with curl: the body, "" when the request fails.
std::string http_get(const std::string &url);

} // namespace xdpchain::test
