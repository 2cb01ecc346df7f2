// The agent under systemd's notify protocol: READY=1 arrives on $NOTIFY_SOCKET once the
// chains are applied, then WATCHDOG=1 at half the $WATCHDOG_USEC period. The socket is the
// test's own datagram socket, as systemd would create it.
#include "tests/agent/agent_fixture.h"
#include "tests/agent/background_process.h"
#include "tests/support/bpf_kernel.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>

namespace xdpchain::test {
namespace {

using namespace std::chrono_literals;

class NotifySocket {
public:
  NotifySocket() : path_(std::filesystem::temp_directory_path() / unique_name("xdpc-notify-")) {
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    path_.copy(addr.sun_path, sizeof addr.sun_path - 1);
    if (bind(fd_, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0)
      throw std::runtime_error("bind " + path_);
  }
  ~NotifySocket() {
    close(fd_);
    unlink(path_.c_str());
  }
  const std::string &path() const { return path_; }
  // The next datagram, "" after `timeout` without one.
  std::string receive(std::chrono::milliseconds timeout) {
    pollfd pfd{fd_, POLLIN, 0};
    if (poll(&pfd, 1, static_cast<int>(timeout.count())) != 1) return "";
    char buffer[4096];
    ssize_t n = recv(fd_, buffer, sizeof buffer, 0);
    return n > 0 ? std::string(buffer, static_cast<size_t>(n)) : "";
  }

private:
  std::string path_;
  int fd_ = -1;
};

TEST_F(AgentTest, NotifiesReadyAfterApplyingAndPingsTheWatchdog) {
  write("edge.yaml", manifest("edge", {{"drop-icmp", "xdp_drop_icmp"}}));
  NotifySocket notify;
  BackgroundProcess agent({"/usr/bin/env", "NOTIFY_SOCKET=" + notify.path(),
                           "WATCHDOG_USEC=1000000", XdpchainCli::binary(), "--bpffs",
                           cli().bpffs_root(), "agent", "--config-dir", config_dir(),
                           "--metrics-address", "127.0.0.1:0"});
  std::string ready = notify.receive(30s);
  ASSERT_NE(ready.find("READY=1"), std::string::npos) << ready << "\n" << agent.log();
  // READY means the chains are in place.
  EXPECT_EQ(labels(), std::vector<std::string>{"drop-icmp"});
  int pings = 0;
  auto until = std::chrono::steady_clock::now() + 2s;
  while (std::chrono::steady_clock::now() < until)
    if (notify.receive(500ms).find("WATCHDOG=1") != std::string::npos) ++pings;
  EXPECT_GE(pings, 3) << "WATCHDOG=1 every 0.5 s expected\n" << agent.log();
  EXPECT_EQ(agent.stop(SIGTERM), 0);
  // WATCHDOG=1 datagrams sent before the signal may still be queued ahead of STOPPING=1.
  bool stopping = false;
  for (std::string message = notify.receive(2s); !message.empty() && !stopping;
       message = notify.receive(2s))
    stopping = message.find("STOPPING=1") != std::string::npos;
  EXPECT_TRUE(stopping) << "no STOPPING=1 after SIGTERM\n" << agent.log();
}

} // namespace
} // namespace xdpchain::test
