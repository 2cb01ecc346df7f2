// Runs the built `xdpchain` command the way a user would, with its state in a bpffs
// directory private to one test.
#pragma once

#include "tests/support/process.h"

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace xdpchain::test {

class XdpchainCli {
public:
  // `netns`: the network namespace the commands run in ("" = the test's own).
  explicit XdpchainCli(std::string netns = {});
  // Removes the private bpffs directory and everything pinned below it.
  ~XdpchainCli();
  XdpchainCli(const XdpchainCli &) = delete;
  XdpchainCli &operator=(const XdpchainCli &) = delete;

  // `xdpchain --bpffs <private dir> ARGS...`
  CommandResult run(const std::vector<std::string> &args,
                    std::chrono::milliseconds timeout = std::chrono::seconds(300)) const;

  // `status IFACE --json` (the chain, unwrapped from "chains") / `features [IFACE] --json`. Throw
  // std::runtime_error (with the command's output) when the command fails or does not print one
  // JSON object.
  nlohmann::json status(const std::string &iface) const;
  nlohmann::json features(const std::string &iface = {}) const;

  // The private state directory passed as --bpffs (created by xdpchain, not by us).
  const std::string &bpffs_root() const { return bpffs_root_; }
  const std::string &netns() const { return netns_; }

  // ${PROJECT_BINARY_DIR}/cli/xdpchain, or $XDPCHAIN_TEST_XDPCHAIN when set (another build of
  // the command, e.g. the sanitized one of tests/fuzz/run.sh's build directory).
  static std::string binary();

private:
  nlohmann::json run_json(const std::vector<std::string> &args) const;

  std::string netns_;
  std::string bpffs_root_;
};

// The one chain of a `status IFACE --json` document ({"schema_version", "chains": [chain]});
// throws std::runtime_error when it lists another number of chains.
nlohmann::json only_chain(const nlohmann::json &status_document);

// Path of a test program object built from tests/progs: "<XDPCHAIN_PROGS_DIR>/NAME.o".
std::string prog_path(const std::string &name);

} // namespace xdpchain::test
