#include "tests/agent/agent_fixture.h"

#include "tests/support/bpf_kernel.h"
#include "tests/support/bpffs.h"

#include <filesystem>
#include <fstream>

namespace xdpchain::test {

void AgentTest::SetUp() {
  bpffs_mount();
  pair_ = std::make_unique<NetnsPair>();
  cli_ = std::make_unique<XdpchainCli>(pair_->dut().netns);
  dir_ = std::filesystem::temp_directory_path() / unique_name("xdpchain-agent-conf-");
  std::filesystem::create_directories(dir_);
}

void AgentTest::TearDown() {
  if (cli_) xdpchain({"remove", iface(), "--all"});
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
  cli_.reset();
  pair_.reset();
}

std::string
AgentTest::manifest(const std::string &name,
                    const std::vector<std::pair<std::string, std::string>> &members) const {
  std::string text = "apiVersion: xdpchain.io/v1\nkind: XdpChain\nmetadata:\n  name: " + name +
                     "\nspec:\n  interface: " + iface() + "\n  namespace: " + net().dut().netns +
                     "\n  mode: native\n  backend: tailcall\n  programs:\n";
  int priority = 10;
  for (const auto &[label, prog] : members) {
    text += "    - name: " + label + "\n      object: " + prog_path(prog) +
            "\n      priority: " + std::to_string(priority) + "\n";
    priority += 10;
  }
  return text;
}

std::string AgentTest::write(const std::string &file, const std::string &text) const {
  const std::string path = dir_ + "/" + file;
  const std::string temporary = dir_ + "/.tmp-" + file;
  {
    std::ofstream out(temporary);
    out << text;
  }
  std::filesystem::rename(temporary, path);
  return path;
}

std::unique_ptr<AgentProcess> AgentTest::start_agent(int resync_seconds,
                                                     const std::vector<std::string> &extra) const {
  return std::make_unique<AgentProcess>(cli_->bpffs_root(), dir_, resync_seconds, extra);
}

std::unique_ptr<AgentProcess>
AgentTest::start_agent_as_unit(int resync_seconds, const std::vector<std::string> &extra) const {
  return std::make_unique<AgentProcess>(cli_->bpffs_root(), dir_, resync_seconds, extra,
                                        unit_capabilities());
}

CommandResult AgentTest::xdpchain(const std::vector<std::string> &args) const {
  RunOptions options;
  options.netns = net().dut().netns;
  std::vector<std::string> argv = {XdpchainCli::binary(), "--bpffs", cli_->bpffs_root()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv, options);
}

nlohmann::json AgentTest::status() const {
  CommandResult r = xdpchain({"status", iface(), "--json"});
  nlohmann::json parsed = nlohmann::json::parse(r.out, nullptr, false);
  if (r.exit_code != 0 || !parsed.is_object()) return nlohmann::json::object();
  // {"schema_version": N, "chains": [<the interface's chain>]}
  const auto &chains = parsed.value("chains", nlohmann::json::array());
  return chains.empty() ? nlohmann::json::object() : chains.front();
}

std::vector<std::string> AgentTest::labels() const {
  std::vector<std::string> out;
  nlohmann::json s = status();
  if (!s.value("present", false)) return out;
  for (const auto &p : s.value("programs", nlohmann::json::array()))
    out.push_back(p.value("label", std::string("?")));
  return out;
}

bool AgentTest::wait_for_labels(const std::vector<std::string> &expected,
                                std::chrono::milliseconds timeout) const {
  return wait_until([&] { return labels() == expected; }, timeout);
}

} // namespace xdpchain::test
