#include "tests/chain/chain_fixture.h"

#include "tests/support/bpf_kernel.h"

#include <cstdlib>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

namespace xdpchain::test {

void PrintTo(const ChainParam &param, std::ostream *os) {
  *os << param.backend << "/" << param.mode;
}

std::string param_name(const ::testing::TestParamInfo<ChainParam> &info) {
  return info.param.backend + "_" + info.param.mode;
}

BackendCheck check_backend(const std::string &backend) {
  // One probe per test process: it does not change while the tests run.
  static std::once_flag once;
  static nlohmann::json features;
  static std::string probe_error;
  std::call_once(once, [] {
    try {
      features = XdpchainCli().features();
    } catch (const std::exception &e) {
      probe_error = e.what();
    }
  });
  if (!probe_error.empty())
    return {BackendCheck::fail, "xdpchain features --json failed: " + probe_error};
  const auto entry = features.value(backend, nlohmann::json::object());
  if (entry.value("supported", false)) return {};
  const std::string reason = entry.value("reason", std::string("(no reason given)"));
  if (backend != "freplace" || in_test_vm())
    return {BackendCheck::fail, "xdpchain features says backend " + backend +
                                    " does not work here, where it must: " + reason};
  return {BackendCheck::skip,
          "freplace refused by this kernel (xdpchain features: " + reason + ")"};
}

std::ostream &operator<<(std::ostream &os, const Counts &c) {
  return os << "{entered " << c.entered << ", aborted " << c.aborted << ", drop " << c.drop
            << ", pass " << c.pass << ", tx " << c.tx << ", redirect " << c.redirect << ", other "
            << c.other << "}";
}

Counts counts_of(uint64_t n, const std::string &verdict) {
  Counts c;
  c.entered = n;
  std::map<std::string, uint64_t *> field{{"aborted", &c.aborted},   {"drop", &c.drop},
                                          {"pass", &c.pass},         {"tx", &c.tx},
                                          {"redirect", &c.redirect}, {"other", &c.other}};
  if (!field.count(verdict)) throw std::invalid_argument("no verdict " + verdict);
  *field[verdict] = n;
  return c;
}

std::vector<std::string> labels(const nlohmann::json &status) {
  std::vector<std::string> out;
  for (const auto &p : status.value("programs", nlohmann::json::array()))
    out.push_back(p.value("label", std::string("?")));
  return out;
}

nlohmann::json member(const nlohmann::json &status, const std::string &label) {
  for (const auto &p : status.value("programs", nlohmann::json::array()))
    if (p.value("label", std::string()) == label) return p;
  ADD_FAILURE() << "status has no program labelled '" << label << "': " << status.dump(2);
  return nlohmann::json::object();
}

Counts counters(const nlohmann::json &status, const std::string &label) {
  const auto c = member(status, label).value("counters", nlohmann::json::object());
  auto get = [&c](const char *name) { return c.value(name, uint64_t{~0ull}); };
  return {get("entered"), get("aborted"),  get("drop"), get("pass"),
          get("tx"),      get("redirect"), get("other")};
}

void ChainFixtureBase::create_network() {
  pair_ = std::make_unique<NetnsPair>();
  cli_ = std::make_unique<XdpchainCli>(pair_->dut().netns);
}

void ChainFixtureBase::destroy_network() {
  cli_.reset(); // unpins our state first
  pair_.reset();
}

CommandResult ChainFixtureBase::add_to(const std::string &iface, const std::string &object,
                                       const std::vector<std::string> &args) const {
  std::vector<std::string> argv = {"add", iface, prog_path(object)};
  argv.insert(argv.end(), args.begin(), args.end());
  return cli_->run(argv);
}

CommandResult ChainFixtureBase::remove(const std::string &label) const {
  return cli_->run({"remove", iface(), label});
}

void ChainTest::SetUp() {
  const BackendCheck check = check_backend(backend());
  if (check.outcome == BackendCheck::skip) GTEST_SKIP() << check.why;
  if (check.outcome == BackendCheck::fail) GTEST_FAIL() << check.why;
  create_network();
}

CommandResult ChainTest::add(const std::string &object,
                             const std::vector<std::string> &args) const {
  std::vector<std::string> all = args;
  all.insert(all.end(), {"--backend", backend(), "--mode", mode()});
  return add_to(iface(), object, all);
}

void BackendTest::SetUp() {
  const BackendCheck check = check_backend(backend());
  if (check.outcome == BackendCheck::skip) GTEST_SKIP() << check.why;
  if (check.outcome == BackendCheck::fail) GTEST_FAIL() << check.why;
  create_network();
}

INSTANTIATE_TEST_SUITE_P(
    Chain, ChainTest,
    ::testing::Values(ChainParam{"tailcall", "native"}, ChainParam{"tailcall", "generic"},
                      ChainParam{"fused", "native"}, ChainParam{"fused", "generic"},
                      ChainParam{"freplace", "native"}, ChainParam{"freplace", "generic"}),
    param_name);

INSTANTIATE_TEST_SUITE_P(Chain, BackendTest, ::testing::Values("tailcall", "fused", "freplace"),
                         [](const auto &info) { return info.param; });

} // namespace xdpchain::test
