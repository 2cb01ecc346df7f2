#include "tests/support/xdpchain_cli.h"

#include "tests/support/bpffs.h"

#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <stdexcept>

#ifndef XDPCHAIN_TEST_BINARY_DIR
#error "XDPCHAIN_TEST_BINARY_DIR must be defined by the build"
#endif

namespace xdpchain::test {

XdpchainCli::XdpchainCli(std::string netns)
    : netns_(std::move(netns)), bpffs_root_(bpffs_mount() + "/" + unique_name("xdpchain-test-")) {}

XdpchainCli::~XdpchainCli() {
  std::error_code ec;
  std::filesystem::remove_all(bpffs_root_, ec);
}

std::string XdpchainCli::binary() {
  if (const char *other = std::getenv("XDPCHAIN_TEST_XDPCHAIN")) return other;
  return std::string(XDPCHAIN_TEST_BINARY_DIR) + "/cli/xdpchain";
}

CommandResult XdpchainCli::run(const std::vector<std::string> &args,
                               std::chrono::milliseconds timeout) const {
  std::vector<std::string> argv = {binary(), "--bpffs", bpffs_root_};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv, {.netns = netns_, .timeout = timeout});
}

nlohmann::json XdpchainCli::run_json(const std::vector<std::string> &args) const {
  CommandResult r = run(args);
  nlohmann::json parsed;
  if (r.exit_code == 0 && !r.timed_out) {
    parsed = nlohmann::json::parse(r.out, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_object()) return parsed;
  }
  std::ostringstream os;
  os << "expected one JSON object from " << r;
  throw std::runtime_error(os.str());
}

nlohmann::json XdpchainCli::status(const std::string &iface) const {
  return only_chain(run_json({"status", iface, "--json"}));
}

nlohmann::json only_chain(const nlohmann::json &status_document) {
  const auto chains = status_document.value("chains", nlohmann::json::array());
  if (chains.size() != 1)
    throw std::runtime_error("expected one chain in " + status_document.dump());
  return chains[0];
}

nlohmann::json XdpchainCli::features(const std::string &iface) const {
  if (iface.empty()) return run_json({"features", "--json"});
  return run_json({"features", iface, "--json"});
}

std::string prog_path(const std::string &name) {
  return std::string(XDPCHAIN_TEST_BINARY_DIR) + "/tests/progs/" + name + ".o";
}

} // namespace xdpchain::test
