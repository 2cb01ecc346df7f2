// The fixture of the `cli_operator_netns_test` cases (set, counters off, member maps,
// messages): a veth pair with the built `xdpchain` run in the DUT's namespace, as a user
// would, with its state in a private bpffs directory.
#pragma once

#include "tests/support/netns_pair.h"
#include "tests/support/process.h"
#include "tests/support/xdpchain_cli.h"

#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace xdpchain::test {

class OperatorTest : public ::testing::Test {
protected:
  void SetUp() override;
  void TearDown() override;

  const std::string &iface() const { return pair_->dut().ifname; }
  CommandResult run(const std::vector<std::string> &args) const { return cli_->run(args); }
  // The member labelled `label` in a chain of `status --json`; a failure when there is none.
  static nlohmann::json member(const nlohmann::json &chain, const std::string &label);
  // A manifest file for the DUT whose spec continues with `spec_rest` (YAML, indented by
  // two spaces), removed at the end of the test.
  std::string manifest(const std::string &spec_rest);

  std::unique_ptr<NetnsPair> pair_;
  std::unique_ptr<XdpchainCli> cli_;
  std::vector<std::string> files_;
};

} // namespace xdpchain::test
