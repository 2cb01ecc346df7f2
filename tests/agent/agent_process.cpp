#include "tests/agent/agent_process.h"

#include "tests/support/bpf_kernel.h"
#include "tests/support/xdpchain_cli.h"

#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>

namespace xdpchain::test {

namespace {

std::vector<std::string> agent_argv(const std::string &bpffs_root, const std::string &config_dir,
                                    int resync_seconds, const std::vector<std::string> &extra,
                                    const std::vector<std::string> &prefix) {
  std::vector<std::string> args = prefix;
  std::vector<std::string> command = {XdpchainCli::binary(),
                                      "--bpffs",
                                      bpffs_root,
                                      "agent",
                                      "--config-dir",
                                      config_dir,
                                      "--metrics-address",
                                      "127.0.0.1:0",
                                      "--resync",
                                      std::to_string(resync_seconds)};
  args.insert(args.end(), command.begin(), command.end());
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

} // namespace

AgentProcess::AgentProcess(const std::string &bpffs_root, const std::string &config_dir,
                           int resync_seconds, const std::vector<std::string> &extra,
                           const std::vector<std::string> &prefix)
    : process_(agent_argv(bpffs_root, config_dir, resync_seconds, extra, prefix)) {
  bool ready = wait_until(
      [&] {
        return !process_.running() || log().find("xdpchain-agent: ready:") != std::string::npos;
      },
      std::chrono::seconds(30));
  if (!ready || !process_.running()) throw std::runtime_error("agent did not start:\n" + log());
  std::smatch match;
  std::string text = log();
  if (!std::regex_search(text, match, std::regex(R"(http://127\.0\.0\.1:(\d+)/metrics)")))
    throw std::runtime_error("agent did not say its metrics port:\n" + text);
  port_ = std::stoi(match[1]);
}

std::string AgentProcess::http_get(const std::string &path) const {
  return test::http_get("http://127.0.0.1:" + std::to_string(port_) + path);
}

double AgentProcess::metric(const std::string &prefix) const {
  std::istringstream lines(http_get("/metrics"));
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind(prefix, 0) != 0) continue;
    char next = line.size() > prefix.size() ? line[prefix.size()] : ' ';
    if (next != ' ' && next != '{' && prefix.back() != '}') continue;
    return std::stod(line.substr(line.rfind(' ') + 1));
  }
  return -1;
}

long AgentProcess::rss_kib() const {
  std::ifstream in("/proc/" + std::to_string(process_.pid()) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

std::vector<std::string> unit_capabilities() {
  return {"/usr/bin/setpriv", "--bounding-set", "-all,+bpf,+perfmon,+net_admin,+sys_admin",
          "--inh-caps",       "-all",           "--"};
}

std::string http_get(const std::string &url) {
  CommandResult r = run_command({"curl", "-sf", "--max-time", "5", url});
  return r.exit_code == 0 ? r.out : "";
}

} // namespace xdpchain::test
