// deploy/systemd/xdpchain-agent.service passes `systemd-analyze verify`. The unit names the
// installed /usr/bin/xdpchain; the test verifies a copy naming the built binary instead, so
// that verify's "is the command executable" check looks at a real file.
#include "tests/support/process.h"
#include "tests/support/xdpchain_cli.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

namespace xdpchain::test {
namespace {

std::string read_unit() {
  std::ifstream in(std::string(XDPCHAIN_SOURCE_DIR) + "/deploy/systemd/xdpchain-agent.service");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(SystemdUnit, PassesSystemdAnalyzeVerify) {
  std::string unit = read_unit();
  ASSERT_NE(unit.find("ExecStart=/usr/bin/xdpchain agent"), std::string::npos);
  const std::string dir = std::filesystem::temp_directory_path() / unique_name("xdpc-unit-");
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/xdpchain-agent.service";
  std::ofstream(path) << std::regex_replace(unit, std::regex("/usr/bin/xdpchain"),
                                            XdpchainCli::binary());
  CommandResult r = run_command({"systemd-analyze", "verify", path});
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.err, "") << r;
  std::filesystem::remove_all(dir);
}

TEST(SystemdUnit, IsANotifyServiceWithOnlyTheCapabilitiesBpfAndXdpNeed) {
  std::string unit = read_unit();
  EXPECT_NE(unit.find("\nType=notify\n"), std::string::npos);
  EXPECT_NE(unit.find("\nWatchdogSec="), std::string::npos);
  EXPECT_NE(unit.find("\nProtectSystem=strict\n"), std::string::npos);
  EXPECT_NE(unit.find("\nReadWritePaths=/sys/fs/bpf "), std::string::npos);
  const std::string caps = "CAP_BPF CAP_PERFMON CAP_NET_ADMIN CAP_SYS_ADMIN\n";
  EXPECT_NE(unit.find("\nCapabilityBoundingSet=" + caps), std::string::npos);
  EXPECT_NE(unit.find("\nAmbientCapabilities=" + caps), std::string::npos);
}

} // namespace
} // namespace xdpchain::test
