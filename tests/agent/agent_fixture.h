// The agent tests' fixture: a veth pair (tests/support/NetnsPair), a config dir holding a
// manifest for the DUT's interface in its namespace, a private bpffs root, and helpers to
// read the chain back with `xdpchain status` the way a user would.
#pragma once

#include "tests/agent/agent_process.h"
#include "tests/support/netns_pair.h"
#include "tests/support/xdpchain_cli.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <vector>

namespace xdpchain::test {

class AgentTest : public ::testing::Test {
protected:
  void SetUp() override;
  void TearDown() override;

  const NetnsPair &net() const { return *pair_; }
  NetnsPair &net() { return *pair_; }
  const XdpchainCli &cli() const { return *cli_; }
  const std::string &iface() const { return pair_->dut().ifname; }
  const std::string &config_dir() const { return dir_; }

  // An XdpChain document for the DUT's interface with members (name, test program) in
  // priority order, on the tail-call backend in native mode.
  std::string manifest(const std::string &name,
                       const std::vector<std::pair<std::string, std::string>> &members) const;
  // Writes <config dir>/<file> through a temporary file and a rename, as editors and
  // ConfigMap updates do; returns the path.
  std::string write(const std::string &file, const std::string &text) const;

  std::unique_ptr<AgentProcess> start_agent(int resync_seconds = 1,
                                            const std::vector<std::string> &extra = {}) const;
  // The same with only the systemd unit's capabilities (unit_capabilities()).
  std::unique_ptr<AgentProcess>
  start_agent_as_unit(int resync_seconds = 1, const std::vector<std::string> &extra = {}) const;

  // `xdpchain status IFACE --json` in the DUT's namespace; {} when it fails.
  nlohmann::json status() const;
  // Member labels in run order ({} when there is no chain).
  std::vector<std::string> labels() const;
  // Waits until the chain's labels are `expected`.
  bool wait_for_labels(const std::vector<std::string> &expected,
                       std::chrono::milliseconds timeout) const;
  // `xdpchain ARGS...` inside the DUT's namespace, on this test's bpffs root.
  CommandResult xdpchain(const std::vector<std::string> &args) const;

private:
  std::unique_ptr<NetnsPair> pair_;
  std::unique_ptr<XdpchainCli> cli_;
  std::string dir_;
};

} // namespace xdpchain::test
