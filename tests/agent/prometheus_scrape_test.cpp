// A real Prometheus server (Debian's `prometheus`) scrapes the agent every second; the
// member's drop counter it stored must equal the echo requests the test sent.
#include "tests/agent/agent_fixture.h"
#include "tests/agent/background_process.h"
#include "tests/support/bpf_kernel.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>

namespace xdpchain::test {
namespace {

using namespace std::chrono_literals;

// A loopback port nothing listens on now.
int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

// Prometheus on loopback, scraping `target` every second, with its storage in a temp dir
// removed afterwards. Killed when the object goes (and after 120 s at most by the test).
class PrometheusServer {
public:
  explicit PrometheusServer(const std::string &target)
      : dir_(std::filesystem::temp_directory_path() / unique_name("xdpchain-prometheus-")),
        port_(free_port()), process_(argv(target)) {
    if (!wait_until([&] { return !http_get(url("/-/ready")).empty() || !process_.running(); },
                    30s) ||
        !process_.running())
      throw std::runtime_error("prometheus did not start:\n" + process_.log());
  }
  ~PrometheusServer() {
    process_.stop(SIGTERM, 10s);
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string url(const std::string &path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  // The value of the single series `promql` selects now; -1 when there is none.
  double query(const std::string &promql) const {
    CommandResult r = run_command({"curl", "-sf", "--max-time", "5", "-G", url("/api/v1/query"),
                                   "--data-urlencode", "query=" + promql});
    auto body = nlohmann::json::parse(r.out, nullptr, false);
    if (!body.is_object() || body.value("status", "") != "success") return -1;
    const auto &result = body["data"]["result"];
    if (!result.is_array() || result.size() != 1) return -1;
    return std::stod(result[0]["value"][1].get<std::string>());
  }
  std::string log() const { return process_.log(); }

private:
  std::vector<std::string> argv(const std::string &target) {
    std::filesystem::create_directories(dir_ + "/data");
    std::ofstream(dir_ + "/prometheus.yml")
        << "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
           "scrape_configs:\n  - job_name: xdpchain-agent\n    static_configs:\n"
           "      - targets: ['"
        << target << "']\n";
    return {"/usr/bin/prometheus", "--config.file=" + dir_ + "/prometheus.yml",
            "--storage.tsdb.path=" + dir_ + "/data", "--storage.tsdb.retention.time=1h",
            "--web.listen-address=127.0.0.1:" + std::to_string(port_)};
  }

  std::string dir_;
  int port_;
  BackgroundProcess process_;
};

TEST_F(AgentTest, PrometheusScrapesTheDropCounterOfAMember) {
  write("edge.yaml", manifest("edge", {{"drop-icmp", "xdp_drop_icmp"}, {"pass", "xdp_pass"}}));
  auto agent = start_agent(/*resync_seconds=*/5);
  ASSERT_EQ(labels(), (std::vector<std::string>{"drop-icmp", "pass"})) << agent->log();
  const int sent = 7;
  ASSERT_EQ(net().ping(sent), 0);

  PrometheusServer prometheus("127.0.0.1:" + std::to_string(agent->port()));
  const std::string drops =
      "xdpchain_member_packets_total{job=\"xdpchain-agent\",member=\"drop-icmp\","
      "verdict=\"drop\",interface=\"" +
      iface() + "\",netns=\"" + net().dut().netns + "\",chain=\"edge\"}";
  double stored = -1;
  EXPECT_TRUE(wait_until([&] { return (stored = prometheus.query(drops)) == sent; }, 30s))
      << "Prometheus has " << stored << " for " << drops << "\n"
      << prometheus.log();
  // The pass member saw none of the echo requests: the chain stopped at the drop.
  EXPECT_EQ(prometheus.query("xdpchain_member_entered_packets_total{member=\"pass\",netns=\"" +
                             net().dut().netns + "\"}"),
            0);
  EXPECT_EQ(prometheus.query("up{job=\"xdpchain-agent\"}"), 1);
}

} // namespace
} // namespace xdpchain::test
