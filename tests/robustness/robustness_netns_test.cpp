// What docs/protocol.md promises under stress, on real interfaces: commands killed at any
// point leave a working chain; concurrent commands on one interface serialise; chain swaps
// under traffic lose no packet; `prune` running alongside never touches a live chain. Runs on
// whichever backend `auto` picks on this kernel, and on the fused backend.
#include "tests/support/netns_pair.h"
#include "tests/support/xdpchain_cli.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <iostream>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <random>
#include <thread>

namespace xdpchain::test {
namespace {

using namespace std::chrono_literals;

class Robustness : public ::testing::TestWithParam<std::string> {
protected:
  const std::string &backend() const { return GetParam(); }
  NetnsPair net_;
  XdpchainCli cli_{net_.dut().netns};

  CommandResult add(const std::string &prog, const std::string &label, int priority) {
    return cli_.run({"add", net_.dut().ifname, prog_path(prog), "--name", label, "--priority",
                     std::to_string(priority), "--mode", "generic", "--backend", backend()});
  }
  // Starts `xdpchain add` in the DUT's namespace without waiting for it.
  pid_t spawn_add(const std::string &prog, const std::string &label, int priority) {
    std::vector<std::string> argv = {XdpchainCli::binary(),
                                     "--bpffs",
                                     cli_.bpffs_root(),
                                     "--netns",
                                     net_.dut().netns,
                                     "add",
                                     net_.dut().ifname,
                                     prog_path(prog),
                                     "--name",
                                     label,
                                     "--priority",
                                     std::to_string(priority),
                                     "--mode",
                                     "generic",
                                     "--backend",
                                     backend()};
    pid_t pid = fork();
    if (pid == 0) {
      std::vector<char *> args;
      for (auto &a : argv)
        args.push_back(a.data());
      args.push_back(nullptr);
      int null = open("/dev/null", O_WRONLY);
      dup2(null, 1);
      dup2(null, 2);
      execv(args[0], args.data());
      _exit(127);
    }
    return pid;
  }
  int wait_exit(pid_t pid) {
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  std::vector<std::string> labels() {
    std::vector<std::string> out;
    nlohmann::json st = cli_.status(net_.dut().ifname);
    for (const auto &p : st["programs"])
      out.push_back(p["label"].get<std::string>());
    return out;
  }
  size_t generation_dirs() {
    size_t count = 0;
    std::error_code ec;
    for (auto &dir : std::filesystem::directory_iterator(cli_.bpffs_root(), ec))
      for (auto &entry : std::filesystem::directory_iterator(dir.path(), ec))
        if (entry.path().filename().string().rfind("gen-", 0) == 0) ++count;
    return count;
  }
};

TEST_P(Robustness, KilledCommandsLeaveAWorkingChain) {
  ASSERT_EQ(add("xdp_pass", "base", 10).exit_code, 0);
  // Kill at random moments over the whole length of an add on this machine (a few ms on
  // the host, a second or more in the TCG VM), so that every step gets interrupted.
  const auto started = std::chrono::steady_clock::now();
  ASSERT_EQ(wait_exit(spawn_add("xdp_count", "timed", 20)), 0);
  const auto add_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::steady_clock::now() - started)
                          .count();
  ASSERT_EQ(cli_.run({"remove", net_.dut().ifname, "timed"}).exit_code, 0);
  std::mt19937 random(12345);
  int completed = 0, killed = 0;
  for (int round = 0; round < 12; ++round) {
    const std::string label = "victim" + std::to_string(round);
    pid_t pid = spawn_add("xdp_count", label, 20);
    std::this_thread::sleep_for(std::chrono::milliseconds(random() % (add_ms * 5 / 4 + 1)));
    kill(pid, SIGKILL);
    int code = wait_exit(pid);
    (code == 0 ? completed : killed)++;

    // Whatever moment it died at, the interface runs a complete chain.
    nlohmann::json st = cli_.status(net_.dut().ifname);
    ASSERT_TRUE(st["present"].get<bool>()) << st.dump(2);
    for (const auto &p : st["programs"])
      EXPECT_TRUE(p["attached"].get<bool>()) << st.dump(2);
    EXPECT_EQ(net_.dut_xdp()["prog"]["id"], st["dispatcher_prog_id"]);
    EXPECT_EQ(net_.ping(2), 2) << "round " << round << ": traffic stopped";
    auto now = labels();
    if (std::find(now.begin(), now.end(), label) != now.end()) {
      ASSERT_EQ(cli_.run({"remove", net_.dut().ifname, label}).exit_code, 0);
    }
  }
  // The next command clears what the killed ones left half built.
  ASSERT_EQ(add("xdp_pass", "after", 30).exit_code, 0);
  EXPECT_EQ(labels(), (std::vector<std::string>{"base", "after"}));
  EXPECT_EQ(generation_dirs(), 1u);
  EXPECT_EQ(net_.ping(3), 3);
  std::cout << "an add takes " << add_ms << " ms; killed " << killed << " adds mid-way, "
            << completed << " had finished\n";
}

TEST_P(Robustness, ConcurrentCommandsSerialise) {
  ASSERT_EQ(add("xdp_pass", "base", 10).exit_code, 0);
  std::vector<pid_t> pids;
  for (int i = 0; i < 6; ++i)
    pids.push_back(spawn_add("xdp_count", "c" + std::to_string(i), 20 + i));
  for (pid_t pid : pids)
    EXPECT_EQ(wait_exit(pid), 0);
  EXPECT_EQ(labels(), (std::vector<std::string>{"base", "c0", "c1", "c2", "c3", "c4", "c5"}))
      << "every concurrent add must land, none lost to a race";
  EXPECT_EQ(net_.ping(3), 3);
  nlohmann::json st = cli_.status(net_.dut().ifname);
  for (const auto &p : st["programs"])
    EXPECT_EQ(p["counters"]["entered"], 3) << p.dump();
}

TEST_P(Robustness, SwapsUnderTrafficLoseNoPacket) {
  ASSERT_EQ(add("xdp_count", "steady", 10).exit_code, 0);
  std::atomic<bool> stop{false};
  std::atomic<int> sent{0}, received{0};
  std::thread traffic([&] {
    while (!stop) {
      received += net_.send_udp(7777, 50, 300ms);
      sent += 50;
    }
  });
  int swaps = 0;
  for (int i = 0; i < 10; ++i) {
    ASSERT_EQ(add("xdp_pass", "churn", 20 + i).exit_code, 0);
    ASSERT_EQ(cli_.run({"remove", net_.dut().ifname, "churn"}).exit_code, 0);
    swaps += 2;
  }
  stop = true;
  traffic.join();
  ASSERT_GT(sent.load(), 0);
  EXPECT_EQ(received.load(), sent.load()) << "datagrams lost during " << swaps << " swaps";
  nlohmann::json st = cli_.status(net_.dut().ifname);
  EXPECT_EQ(st["programs"][0]["counters"]["entered"], sent.load())
      << "the unchanged member's counters must see every packet across all swaps";
  std::cout << sent.load() << " datagrams across " << swaps << " swaps, " << received.load()
            << " received\n";
}

// prune only reads and removes state directories, which every backend shares: it runs with
// `auto` alone (10 s here).
class RobustnessPrune : public Robustness {};

TEST_P(RobustnessPrune, PruneAlongsideFirstAddsAndRemovalsLeavesThemWhole) {
  // `prune` removes directories with no live link; a first `add` creates one before it has
  // a link, and `remove --all` deletes one. Neither may lose to a prune running meanwhile.
  std::atomic<bool> stop{false};
  std::atomic<int> prunes{0}, failed_prunes{0};
  std::thread pruner([&] {
    while (!stop)
      (cli_.run({"prune"}).exit_code == 0 ? prunes : failed_prunes)++;
  });
  for (int round = 0; round < 8; ++round) {
    CommandResult added = add("xdp_drop_icmp", "first", 10);
    EXPECT_EQ(added.exit_code, 0) << "round " << round << ": " << added;
    if (added.exit_code != 0) break;
    EXPECT_EQ(net_.ping(1), 0) << "round " << round << ": the new chain is not running";
    CommandResult removed = cli_.run({"remove", net_.dut().ifname, "--all"});
    EXPECT_EQ(removed.exit_code, 0) << "round " << round << ": " << removed;
    if (removed.exit_code != 0) break;
  }
  stop = true;
  pruner.join();
  EXPECT_GT(prunes.load(), 0) << "prune never ran alongside";
  EXPECT_EQ(failed_prunes.load(), 0);

  ASSERT_EQ(add("xdp_drop_icmp", "kept", 10).exit_code, 0);
  CommandResult pruned = cli_.run({"prune"});
  ASSERT_EQ(pruned.exit_code, 0) << pruned;
  EXPECT_NE(pruned.out.find("nothing to prune"), std::string::npos) << pruned;
  EXPECT_EQ(labels(), std::vector<std::string>{"kept"});
  EXPECT_EQ(net_.ping(2), 0) << "prune touched a running chain";
}

INSTANTIATE_TEST_SUITE_P(Backends, Robustness, ::testing::Values("auto", "fused"),
                         [](const auto &info) { return info.param; });
INSTANTIATE_TEST_SUITE_P(Backends, RobustnessPrune, ::testing::Values("auto"),
                         [](const auto &info) { return info.param; });

} // namespace
} // namespace xdpchain::test
