#include "tests/cli/operator_fixture.h"

#include <filesystem>
#include <fstream>

namespace xdpchain::test {

namespace fs = std::filesystem;

void OperatorTest::SetUp() {
  pair_ = std::make_unique<NetnsPair>();
  cli_ = std::make_unique<XdpchainCli>(pair_->dut().netns);
}

void OperatorTest::TearDown() {
  for (const auto &file : files_)
    fs::remove(file);
}

nlohmann::json OperatorTest::member(const nlohmann::json &chain, const std::string &label) {
  for (const auto &m : chain["programs"])
    if (m["label"] == label) return m;
  ADD_FAILURE() << "no member '" << label << "' in " << chain.dump();
  return nlohmann::json::object();
}

std::string OperatorTest::manifest(const std::string &spec_rest) {
  std::string path = fs::temp_directory_path() / (unique_name("xdpchain-op-") + ".yaml");
  std::ofstream(path) << "apiVersion: xdpchain.io/v1\nkind: XdpChain\nmetadata:\n  name: t\n"
                      << "spec:\n  interface: " << iface()
                      << "\n  namespace: " << pair_->dut().netns << "\n"
                      << spec_rest;
  files_.push_back(path);
  return path;
}

} // namespace xdpchain::test
