// `xdpchain agent` held to the standard of software that runs unattended (docs/agent.md,
// "When something goes wrong"): run as the systemd unit runs it (its capabilities only, so
// root has no CAP_DAC_OVERRIDE), it keeps the last good chain when a manifest or the config
// dir cannot be read, never blocks on a FIFO, prunes what it gave interfaces that went
// away, publishes nothing of a file it cannot parse, keeps /metrics answering under idle
// and slow clients, and stays small.
#include "tests/agent/agent_fixture.h"
#include "tests/support/bpf_kernel.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace xdpchain::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// Under AddressSanitizer freed memory stays in its quarantine and its shadow memory counts
// in RSS: memory bounds are asserted on the plain build only (CI runs both).
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

const std::vector<std::string> kChain = {"drop-icmp", "pass"};
const std::string kSecret = "Sup3rSecretHashValue";

class AgentFailClosedTest : public AgentTest {
protected:
  std::string chain_text() {
    return manifest("edge", {{"drop-icmp", "xdp_drop_icmp"}, {"pass", "xdp_pass"}});
  }
  std::string write_chain() { return write("edge.yaml", chain_text()); }
  uint32_t dispatcher() const { return status().value("dispatcher_prog_id", 0u); }
  uint32_t generation() const { return status().value("generation", 0u); }
  // The chain keeps its dispatcher (so its generation and counters) for `how_long`, checked
  // every 100 ms.
  void expect_untouched_for(std::chrono::milliseconds how_long, uint32_t prog,
                            const AgentProcess &agent) const {
    auto until = std::chrono::steady_clock::now() + how_long;
    while (std::chrono::steady_clock::now() < until) {
      ASSERT_EQ(dispatcher(), prog) << "the chain was changed or removed\n" << agent.log();
      std::this_thread::sleep_for(100ms);
    }
  }
  // Repair still works: a chain removed by hand is back within 2 s.
  void expect_repairs(AgentProcess &agent) const {
    ASSERT_EQ(xdpchain({"remove", iface(), "--all"}).exit_code, 0);
    EXPECT_TRUE(wait_for_labels(kChain, 2s)) << "not repaired within 2 s\n" << agent.log();
  }
  std::string temp_path(const std::string &prefix) const {
    return fs::temp_directory_path() / unique_name(prefix);
  }
};

TEST_F(AgentFailClosedTest, UnreadableManifestKeepsItsChainAndIsCounted) {
  const std::string path = write_chain();
  auto agent = start_agent_as_unit();
  ASSERT_EQ(labels(), kChain) << agent->log();
  const uint32_t prog = dispatcher();

  ASSERT_EQ(::chown(path.c_str(), 65534, 65534), 0);
  ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
  ASSERT_TRUE(wait_until(
      [&] { return agent->metric("xdpchain_manifest_valid{file=\"" + path + "\"}") == 0; }, 3s))
      << agent->log();
  expect_untouched_for(2500ms, prog, *agent); // resyncs pass
  EXPECT_GE(agent->metric("xdpchain_manifest_read_errors_total"), 1);
  EXPECT_EQ(agent->metric("xdpchain_manifest_readable{file=\"" + path + "\"}"), 0);
  EXPECT_EQ(agent->metric("xdpchain_chain_removals_total"), 0);
  EXPECT_NE(agent->log().find("cannot be opened: Permission denied"), std::string::npos)
      << agent->log();
  EXPECT_EQ(agent->log().find("file removed"), std::string::npos) << agent->log();
  expect_repairs(*agent);

  // Readable again: nothing to change.
  ASSERT_EQ(::chown(path.c_str(), 0, 0), 0);
  ASSERT_TRUE(wait_until(
      [&] { return agent->metric("xdpchain_manifest_valid{file=\"" + path + "\"}") == 1; }, 3s))
      << agent->log();
  EXPECT_EQ(agent->stop(SIGTERM), 0);
}

TEST_F(AgentFailClosedTest, ConfigDirMovedAwayKeepsEveryChainAndItsCounters) {
  write_chain();
  auto agent = start_agent_as_unit();
  ASSERT_EQ(labels(), kChain) << agent->log();
  const uint32_t prog = dispatcher();
  const uint32_t gen = generation();
  net().ping(2);

  const std::string away = config_dir() + ".away";
  fs::rename(config_dir(), away);
  expect_untouched_for(3s, prog, *agent);
  EXPECT_EQ(agent->metric("xdpchain_config_dir_readable"), 0) << agent->log();
  fs::rename(away, config_dir());
  expect_untouched_for(2500ms, prog, *agent);
  EXPECT_EQ(generation(), gen);
  EXPECT_EQ(agent->metric("xdpchain_config_dir_readable"), 1) << agent->log();
  EXPECT_EQ(status()["programs"][0]["counters"].value("drop", 0), 2) << "the counters were reset";
  // The directory is watched again: an edit is applied at once.
  write("edge.yaml", manifest("edge", {{"pass", "xdp_pass"}}));
  EXPECT_TRUE(wait_for_labels({"pass"}, 2s)) << agent->log();
  EXPECT_EQ(agent->metric("xdpchain_chain_removals_total"), 0);
  EXPECT_EQ(agent->stop(SIGTERM), 0);
}

TEST_F(AgentFailClosedTest, SighupWithAnEmptyDirRemovesTheChainsAndAMissingDirDoesNot) {
  const std::string path = write_chain();
  auto agent = start_agent_as_unit(/*resync_seconds=*/60);
  ASSERT_EQ(labels(), kChain) << agent->log();
  const std::string away = config_dir() + ".away";
  fs::rename(config_dir(), away);
  agent->signal(SIGHUP);
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(labels(), kChain) << agent->log();
  fs::rename(away, config_dir());
  fs::remove(path);
  agent->signal(SIGHUP);
  EXPECT_TRUE(wait_for_labels({}, 3s)) << agent->log();
  EXPECT_EQ(agent->stop(SIGTERM), 0);
}

TEST_F(AgentFailClosedTest, FifoAsNamespaceNeverBlocksTheAgentOrTheCli) {
  write_chain();
  const std::string fifo = temp_path("xdpc-fifo-");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0666), 0);
  std::string trap = chain_text();
  trap.replace(trap.find("namespace: "),
               std::string("namespace: ").size() + net().dut().netns.size(), "namespace: " + fifo);
  const std::string trap_path = write("trap.yaml", trap);
  auto agent = start_agent_as_unit();
  ASSERT_EQ(labels(), kChain) << agent->log();
  expect_repairs(*agent);
  EXPECT_NE(agent->http_get("/metrics").find("xdpchain_chain_attached"), std::string::npos);
  // The command line refuses it at once too.
  for (auto args : std::vector<std::vector<std::string>>{
           {"--netns", fifo, "status"}, {"apply", "-f", trap_path}, {"diff", "-f", trap_path}}) {
    auto started = std::chrono::steady_clock::now();
    CommandResult r = run_command([&] {
      std::vector<std::string> argv = {XdpchainCli::binary(), "--bpffs", cli().bpffs_root()};
      argv.insert(argv.end(), args.begin(), args.end());
      return argv;
    }());
    EXPECT_NE(r.exit_code, 0) << r;
    EXPECT_LT(std::chrono::steady_clock::now() - started, 5s) << r;
    EXPECT_NE(r.err.find("not a network namespace"), std::string::npos) << r;
  }
  EXPECT_EQ(agent->stop(SIGTERM, 5s), 0) << agent->log();
  fs::remove(fifo);
}

TEST_F(AgentFailClosedTest, FifoRenamedOntoAManifestNeverBlocks) {
  const std::string path = write_chain();
  auto agent = start_agent_as_unit();
  ASSERT_EQ(labels(), kChain) << agent->log();
  const uint32_t prog = dispatcher();
  for (int round = 0; round < 6; ++round) {
    const std::string fifo = config_dir() + "/.fifo";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0644), 0);
    fs::rename(fifo, path); // the manifest is a FIFO now
    std::this_thread::sleep_for(700ms);
    write("edge.yaml", chain_text()); // and a regular file again
    std::this_thread::sleep_for(300ms);
  }
  fs::rename(path, config_dir() + "/.x");
  ASSERT_EQ(::mkfifo(path.c_str(), 0644), 0); // a FIFO left there, unlinked while read
  std::this_thread::sleep_for(1500ms);
  fs::remove(path);
  fs::rename(config_dir() + "/.x", path);
  expect_untouched_for(1500ms, prog, *agent);
  expect_repairs(*agent);
  EXPECT_NE(agent->log().find("is not a regular file"), std::string::npos) << agent->log();
  EXPECT_EQ(agent->stop(SIGTERM, 5s), 0) << agent->log();
}

TEST_F(AgentFailClosedTest, GlobMatchedInterfacesThatGoAwayLeaveNoState) {
  std::string text = chain_text();
  text.replace(text.find("interface: " + iface()), ("interface: " + iface()).size(),
               "interfaces: ['lxc*']");
  write("glob.yaml", text);
  auto agent = start_agent_as_unit(/*resync_seconds=*/60);
  const std::string netns = net().dut().netns;
  const int rounds = 20;
  for (int i = 0; i < rounds; ++i) {
    std::string name = "lxc" + std::to_string(i);
    ASSERT_EQ(run_command({"ip", "-n", netns, "link", "add", name, "type", "veth", "peer", "name",
                           "pxc" + std::to_string(i)})
                  .exit_code,
              0);
    ASSERT_TRUE(wait_until(
        [&] {
          CommandResult r = xdpchain({"status", name, "--json"});
          auto json = nlohmann::json::parse(r.out, nullptr, false);
          return r.exit_code == 0 && json.is_object() &&
                 json.value("chains", nlohmann::json::array()).size() == 1 &&
                 json["chains"][0].value("present", false);
        },
        2s))
        << name << " got no chain\n"
        << agent->log();
    ASSERT_EQ(run_command({"ip", "-n", netns, "link", "del", name}).exit_code, 0);
  }
  ASSERT_TRUE(wait_until(
      [&] { return agent->metric("xdpchain_interface_events_total{event=\"gone\"}") == rounds; },
      3s))
      << agent->log();
  int left = 0;
  for (const auto &entry : fs::directory_iterator(cli().bpffs_root()))
    if (entry.path().filename().string().rfind("ns", 0) == 0) ++left;
  EXPECT_EQ(left, 0) << "interface directories left in the bpffs root";
  CommandResult prune = xdpchain({"prune", "--dry-run"});
  EXPECT_EQ(prune.exit_code, 0) << prune;
  EXPECT_EQ(prune.out.find("ns"), std::string::npos) << prune;
  EXPECT_EQ(agent->stop(SIGTERM), 0);
}

TEST_F(AgentFailClosedTest, SymlinkToASecretFilePublishesNothingOfIt) {
  write_chain();
  const std::string secret = temp_path("xdpc-secret-");
  {
    std::ofstream out(secret);
    for (int i = 0; i < 20; ++i)
      out << "user" << i << ":$6$saltsalt$" << kSecret << ":19000:0:99999:7:::\n";
  }
  ASSERT_EQ(::chmod(secret.c_str(), 0600), 0);
  const std::string link = config_dir() + "/x.yaml";
  fs::create_symlink(secret, link);
  auto agent = start_agent_as_unit();
  ASSERT_EQ(labels(), kChain) << agent->log();
  ASSERT_TRUE(wait_until(
      [&] { return agent->metric("xdpchain_manifest_valid{file=\"" + link + "\"}") == 0; }, 3s))
      << agent->log();
  std::string metrics = agent->http_get("/metrics");
  EXPECT_EQ(metrics.find(kSecret), std::string::npos) << metrics;
  EXPECT_EQ(metrics.find("19000"), std::string::npos) << metrics;
  EXPECT_EQ(agent->log().find(kSecret), std::string::npos) << agent->log();
  EXPECT_EQ(agent->log().find("$6$"), std::string::npos) << agent->log();
  EXPECT_EQ(agent->stop(SIGTERM), 0);
  fs::remove(secret);
}

// A TCP connection to the agent's metrics port that sends `request` one byte every
// `pace` (nothing at all when empty) until `stop`.
class SlowClient {
public:
  SlowClient(int port, std::string request, std::chrono::milliseconds pace)
      : thread_([this, port, request = std::move(request), pace] { run(port, request, pace); }) {}
  ~SlowClient() {
    stop_ = true;
    thread_.join();
  }

private:
  void run(int port, const std::string &request, std::chrono::milliseconds pace) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0) {
      size_t at = 0;
      while (!stop_) {
        if (!request.empty()) {
          ::send(fd, &request[at % request.size()], 1, MSG_NOSIGNAL);
          ++at;
        }
        std::this_thread::sleep_for(pace);
      }
    }
    ::close(fd);
  }
  std::atomic<bool> stop_ = false;
  std::thread thread_;
};

TEST_F(AgentFailClosedTest, MetricsAnswerBesideIdleAndSlowClients) {
  write_chain();
  auto agent = start_agent_as_unit();
  ASSERT_EQ(labels(), kChain) << agent->log();
  std::vector<std::unique_ptr<SlowClient>> clients;
  for (int i = 0; i < 2; ++i)
    clients.push_back(std::make_unique<SlowClient>(agent->port(), "", 100ms));
  for (int i = 0; i < 4; ++i)
    clients.push_back(std::make_unique<SlowClient>(
        agent->port(), "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: " + std::string(4096, 'a'),
        300ms));
  std::this_thread::sleep_for(500ms);
  for (int i = 0; i < 8; ++i) {
    auto started = std::chrono::steady_clock::now();
    std::string metrics = agent->http_get("/metrics");
    EXPECT_NE(metrics.find("xdpchain_chain_attached"), std::string::npos) << "scrape " << i;
    EXPECT_NE(agent->http_get("/healthz").find("xdpchain_agent_up 1"), std::string::npos);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 2s) << "scrape " << i;
    std::this_thread::sleep_for(1s);
  }
  clients.clear();
  EXPECT_EQ(agent->stop(SIGTERM), 0);
}

TEST_F(AgentFailClosedTest, HugeAndProblemRichFilesStayBounded) {
  write_chain();
  auto agent = start_agent_as_unit();
  ASSERT_EQ(labels(), kChain) << agent->log();
  const uint32_t prog = dispatcher();

  // A sparse 1 GiB file: refused by its size, never read.
  const std::string huge = config_dir() + "/huge.yaml";
  { std::ofstream touch(huge); }
  fs::resize_file(huge, 1ull << 30);
  ASSERT_TRUE(wait_until(
      [&] { return agent->metric("xdpchain_manifest_valid{file=\"" + huge + "\"}") == 0; }, 3s))
      << agent->log();
  EXPECT_NE(agent->log().find("larger than the limit"), std::string::npos) << agent->log();
  if (!kSanitized) {
    EXPECT_LT(agent->rss_kib(), 100 * 1024);
  }
  fs::remove(huge);

  // A 1.5 MB manifest with 100,000 problems (one unknown key a line).
  const std::string rich = config_dir() + "/rich.yaml";
  {
    std::ostringstream text;
    text << "apiVersion: xdpchain.io/v1\nkind: XdpChain\nmetadata:\n  name: rich\nspec:\n";
    for (int i = 0; i < 100000; ++i)
      text << "  k" << i << ": 1\n";
    std::ofstream out(config_dir() + "/.rich");
    out << text.str();
  }
  fs::rename(config_dir() + "/.rich", rich);
  const std::string valid = "xdpchain_manifest_valid{file=\"" + rich + "\"}";
  // Parsing takes a while under the sanitizers.
  ASSERT_TRUE(wait_until([&] { return agent->metric(valid) == 0; }, 90s)) << agent->log();
  std::string metrics = agent->http_get("/metrics");
  EXPECT_LT(metrics.size(), 64u * 1024) << "a scrape grows with the problems";
  EXPECT_GE(agent->metric("xdpchain_manifest_problems{file=\"" + rich + "\"}"), 100000);
  std::string log = agent->log();
  size_t lines = 0;
  for (size_t at = log.find(rich); at != std::string::npos; at = log.find(rich, at + 1))
    ++lines;
  EXPECT_LT(lines, 20u) << "log lines naming the file";
  EXPECT_NE(log.find("more problem(s) not shown"), std::string::npos);
  fs::remove(rich);
  ASSERT_TRUE(wait_until([&] { return agent->metric(valid) == -1; }, 3s)) << agent->log();
  if (!kSanitized) {
    EXPECT_LT(agent->rss_kib(), 100 * 1024) << "memory not given back after the file went";
  }
  EXPECT_EQ(dispatcher(), prog);
  EXPECT_EQ(agent->stop(SIGTERM), 0);
}

TEST_F(AgentFailClosedTest, SlowInPlaceWriterIsNeverAppliedHalfWritten) {
  const std::string path = write_chain();
  auto agent = start_agent_as_unit(/*resync_seconds=*/1);
  ASSERT_EQ(labels(), kChain) << agent->log();
  const uint32_t prog = dispatcher();
  const std::string text = chain_text();
  // The first half ends before the second member: applied, it would drop 'pass'.
  const size_t half = text.rfind("    - name: pass");
  {
    std::ofstream out(path, std::ios::trunc);
    out << text.substr(0, half) << std::flush;
    expect_untouched_for(5s, prog, *agent);
    out << text.substr(half) << std::flush;
  }
  expect_untouched_for(2s, prog, *agent);
  EXPECT_EQ(labels(), kChain);
  EXPECT_EQ(agent->stop(SIGTERM), 0);
}

} // namespace
} // namespace xdpchain::test
