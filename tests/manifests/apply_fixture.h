// The manifest integration tests' fixture: a veth pair in two fresh network namespaces
// (tests/support/), manifests written into a private folder, and the built `xdpchain`
// command run the way a user would: `apply`/`diff`/`export` from the test's own network
// namespace (the manifests name the DUT's namespace in spec.namespace), `status` inside it.
// The parameter is the backend: tailcall and fused run on this host; freplace is skipped where
// `xdpchain features` says the kernel refuses it, and must work inside the test VM.
#pragma once

#include "tests/support/netns_pair.h"
#include "tests/support/xdpchain_cli.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <vector>

namespace xdpchain::test {

#define ASSERT_EXIT_CODE(result_expr, code)                                                        \
  do {                                                                                             \
    const ::xdpchain::test::CommandResult exit_result_ = (result_expr);                            \
    ASSERT_TRUE(exit_result_.exit_code == (code) && !exit_result_.timed_out) << exit_result_;      \
  } while (0)

// One program of a manifest.
struct Program {
  std::string name;
  std::string object; // test program name: progs/<object>.o, relative to the manifest
  int priority = 50;
  std::string extra; // more YAML lines for the entry, each starting with 6 spaces
};

class ApplyTest : public ::testing::TestWithParam<std::string> {
protected:
  void SetUp() override;
  void TearDown() override;

  const std::string &backend() const { return GetParam(); }
  const NetnsPair &net() const { return *pair_; }
  const std::string &iface() const { return pair_->dut().ifname; }
  const std::string &dir() const { return dir_; }

  // One XdpChain document for the DUT's interface (in its namespace) with this test's
  // backend. `interface` / `netns` override the DUT's.
  std::string document(const std::string &name, const std::vector<Program> &programs,
                       const std::string &interface = {}, const std::string &netns = {}) const;
  // Writes `text` to <dir>/<file> and returns the path.
  std::string write(const std::string &file, const std::string &text) const;

  // `xdpchain apply|diff -f PATH [ARGS...]` and `export`, from the test's own namespace.
  CommandResult apply(const std::string &path, const std::vector<std::string> &args = {}) const;
  CommandResult diff(const std::string &path) const;
  CommandResult export_to(const std::string &path) const;
  // `xdpchain status IFACE --json` inside the DUT's (or the peer's) namespace.
  nlohmann::json status(bool peer = false) const;

  // A bpffs directory private to this test, for map pins.
  const std::string &pins() const { return pins_; }

private:
  std::unique_ptr<NetnsPair> pair_;
  std::unique_ptr<XdpchainCli> cli_;
  std::string dir_;
  std::string pins_;
};

// Labels in run order, one member by label, and ids from a status.
std::vector<std::string> labels(const nlohmann::json &status);
nlohmann::json member(const nlohmann::json &status, const std::string &label);
uint64_t counter(const nlohmann::json &status, const std::string &label, const char *name);

} // namespace xdpchain::test
