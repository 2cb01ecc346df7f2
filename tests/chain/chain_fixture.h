// Shared pieces of the chain integration tests: every test drives the built `xdpchain`
// command against a veth pair in two fresh network namespaces (tests/support/), and checks
// what a user would notice: real packets passing or not, `status --json`, kernel state.
//
// ChainTest runs each scenario for every (backend, mode): backend tailcall|fused|freplace, mode
// native|generic. A freplace case is skipped only when `xdpchain features` reports that
// this kernel refuses freplace, and never inside the test VM (XDPCHAIN_IN_VM=1), where
// freplace must work.
#pragma once

#include "tests/support/netns_pair.h"
#include "tests/support/test_vm.h"
#include "tests/support/xdpchain_cli.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace xdpchain::test {

// Asserts that a CommandResult expression exited with 0, printing its output otherwise.
#define ASSERT_CMD_OK(expr)                                                                        \
  do {                                                                                             \
    const ::xdpchain::test::CommandResult cmd_result_ = (expr);                                    \
    ASSERT_TRUE(cmd_result_.exit_code == 0 && !cmd_result_.timed_out) << cmd_result_;              \
  } while (0)

struct ChainParam {
  std::string backend; // "tailcall" or "freplace"
  std::string mode;    // "native" or "generic"
};

// Prints "tailcall/native" in gtest messages instead of the struct's bytes.
void PrintTo(const ChainParam &param, std::ostream *os);

// "tailcall_native" etc.: the gtest parameter name, used by the VM filters.
std::string param_name(const ::testing::TestParamInfo<ChainParam> &info);

// Whether `backend` can be tested here, by the product's own probe (`xdpchain features`).
// skip: the kernel genuinely lacks it ("freplace refused by this kernel: ..."). fail: a skip
// would hide a bug (the probe failed, tailcall missing, or freplace missing in the VM).
struct BackendCheck {
  enum Outcome { run, skip, fail } outcome = run;
  std::string why;
};
BackendCheck check_backend(const std::string &backend);

// One member's counters, as `status --json` prints them.
struct Counts {
  uint64_t entered = 0;
  uint64_t aborted = 0;
  uint64_t drop = 0;
  uint64_t pass = 0;
  uint64_t tx = 0;
  uint64_t redirect = 0;
  uint64_t other = 0;
  bool operator==(const Counts &) const = default;
};
std::ostream &operator<<(std::ostream &os, const Counts &c);
// Counts with `n` in entered and in the counter of `verdict` ("drop", "pass", ...).
Counts counts_of(uint64_t n, const std::string &verdict);

// Labels of the chain's programs, in run order.
std::vector<std::string> labels(const nlohmann::json &status);
// The program labelled `label`; an empty object (and a test failure) when there is none.
nlohmann::json member(const nlohmann::json &status, const std::string &label);
Counts counters(const nlohmann::json &status, const std::string &label);

// A veth pair in two namespaces plus an `xdpchain` runner in the DUT's namespace, with
// its own bpffs state directory.
class ChainFixtureBase {
protected:
  void create_network();
  void destroy_network();

  const NetnsPair &net() const { return *pair_; }
  const XdpchainCli &cli() const { return *cli_; }
  const std::string &iface() const { return pair_->dut().ifname; }

  // `xdpchain add IFACE <tests/progs/OBJECT.o> ARGS...`
  CommandResult add_to(const std::string &iface, const std::string &object,
                       const std::vector<std::string> &args) const;
  CommandResult remove(const std::string &label) const;
  nlohmann::json status() const { return cli_->status(iface()); }

private:
  std::unique_ptr<NetnsPair> pair_;
  std::unique_ptr<XdpchainCli> cli_;
};

class ChainTest : public ChainFixtureBase, public ::testing::TestWithParam<ChainParam> {
protected:
  void SetUp() override;
  void TearDown() override { destroy_network(); }

  const std::string &backend() const { return GetParam().backend; }
  const std::string &mode() const { return GetParam().mode; }
  // `add` with this test's --backend and --mode appended.
  CommandResult add(const std::string &object, const std::vector<std::string> &args = {}) const;
};

// The same for tests where the mode is part of the scenario: parameter = the backend.
class BackendTest : public ChainFixtureBase, public ::testing::TestWithParam<std::string> {
protected:
  void SetUp() override;
  void TearDown() override { destroy_network(); }
  const std::string &backend() const { return GetParam(); }
};

} // namespace xdpchain::test
