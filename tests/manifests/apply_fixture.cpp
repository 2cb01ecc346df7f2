#include "tests/manifests/apply_fixture.h"

#include "tests/support/bpffs.h"
#include "tests/support/test_vm.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>

namespace xdpchain::test {

namespace {

// "" when `backend` works here; otherwise why not. Probed once per process.
std::string backend_unsupported(const std::string &backend) {
  static std::once_flag once;
  static nlohmann::json features;
  static std::string error;
  std::call_once(once, [] {
    try {
      features = XdpchainCli().features();
    } catch (const std::exception &e) {
      error = e.what();
    }
  });
  if (!error.empty()) return "xdpchain features failed: " + error;
  auto entry = features.value(backend, nlohmann::json::object());
  if (entry.value("supported", false)) return "";
  return entry.value("reason", std::string("(no reason given)"));
}

} // namespace

void ApplyTest::SetUp() {
  std::string why = backend_unsupported(backend());
  if (!why.empty()) {
    if (backend() == "freplace" && !in_test_vm())
      GTEST_SKIP() << "freplace refused by this kernel (xdpchain features: " << why << ")";
    GTEST_FAIL() << "backend " << backend() << " must work here: " << why;
  }
  pair_ = std::make_unique<NetnsPair>();
  cli_ = std::make_unique<XdpchainCli>();
  char tmpl[] = "/tmp/xdpchain-apply-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  dir_ = tmpl;
  // Objects by relative path: the manifests resolve them against their own folder.
  std::filesystem::create_directory_symlink(XDPCHAIN_PROGS_DIR, dir_ + "/progs");
  pins_ = bpffs_mount() + "/" + unique_name("xdpchain-pins-");
  std::filesystem::create_directories(pins_);
}

void ApplyTest::TearDown() {
  cli_.reset(); // unpins the chain (detaching it) before the namespaces go
  pair_.reset();
  std::error_code ec;
  if (!pins_.empty()) std::filesystem::remove_all(pins_, ec);
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
}

std::string ApplyTest::document(const std::string &name, const std::vector<Program> &programs,
                                const std::string &interface, const std::string &netns) const {
  std::string text = "apiVersion: xdpchain.io/v1\nkind: XdpChain\nmetadata:\n  name: " + name +
                     "\nspec:\n  interface: " + (interface.empty() ? iface() : interface) +
                     "\n  namespace: " + (netns.empty() ? pair_->dut().netns : netns) +
                     "\n  backend: " + backend() +
                     "\n  programs:" + (programs.empty() ? " []\n" : "\n");
  for (const auto &p : programs) {
    text += "    - name: " + p.name + "\n      object: progs/" + p.object + ".o\n" +
            "      priority: " + std::to_string(p.priority) + "\n" + p.extra;
  }
  return text;
}

std::string ApplyTest::write(const std::string &file, const std::string &text) const {
  std::string path = dir_ + "/" + file;
  std::ofstream(path) << text;
  return path;
}

CommandResult ApplyTest::apply(const std::string &path,
                               const std::vector<std::string> &args) const {
  std::vector<std::string> argv = {"apply", "-f", path};
  argv.insert(argv.end(), args.begin(), args.end());
  return cli_->run(argv);
}

CommandResult ApplyTest::diff(const std::string &path) const {
  return cli_->run({"diff", "-f", path});
}

CommandResult ApplyTest::export_to(const std::string &path) const {
  return cli_->run({"--netns", pair_->dut().netns, "export", iface(), "-o", path});
}

nlohmann::json ApplyTest::status(bool peer) const {
  const NetnsEndpoint &end = peer ? pair_->peer() : pair_->dut();
  RunOptions options;
  options.netns = end.netns;
  CommandResult r = run_command(
      {XdpchainCli::binary(), "--bpffs", cli_->bpffs_root(), "status", end.ifname, "--json"},
      options);
  nlohmann::json parsed = nlohmann::json::parse(r.out, nullptr, false);
  EXPECT_TRUE(r.exit_code == 0 && parsed.is_object()) << r;
  return parsed.is_object() ? only_chain(parsed) : nlohmann::json::object();
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
  ADD_FAILURE() << "no program labelled '" << label << "' in " << status.dump(2);
  return nlohmann::json::object();
}

uint64_t counter(const nlohmann::json &status, const std::string &label, const char *name) {
  return member(status, label)
      .value("counters", nlohmann::json::object())
      .value(name, uint64_t{~0ull});
}

INSTANTIATE_TEST_SUITE_P(Manifest, ApplyTest, ::testing::Values("tailcall", "fused", "freplace"),
                         [](const auto &info) { return info.param; });

} // namespace xdpchain::test
