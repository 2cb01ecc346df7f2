// Running commands (optionally inside a network namespace) and switching the calling thread
// into one, for the tests' helpers.
#pragma once

#include <chrono>
#include <ostream>
#include <string>
#include <vector>

namespace xdpchain::test {

struct CommandResult {
  int exit_code = -1; // the exit status; 128 + signal number when killed
  bool timed_out = false;
  std::string out;
  std::string err;
  std::string command; // the command line, for messages
};

// Prints the command, its exit code and its output: meant for assertion messages.
std::ostream &operator<<(std::ostream &os, const CommandResult &result);

struct RunOptions {
  // Name of a network namespace under /run/netns; empty = the test's own. The command joins
  // only the network namespace (setns), so it sees the same mounts (bpffs) as the test,
  // unlike `ip netns exec`, which remounts /sys and hides /sys/fs/bpf.
  std::string netns;
  std::chrono::milliseconds timeout{std::chrono::seconds(120)};
};

// Runs argv[0] (looked up in PATH when it has no slash) with the test's environment and
// stdin from /dev/null, collecting stdout and stderr. Kills it when the timeout expires.
// Throws std::runtime_error only when the command cannot be started at all.
CommandResult run_command(const std::vector<std::string> &argv, const RunOptions &options = {});

// Like run_command, but throws std::runtime_error (with the output) unless it exits with 0.
CommandResult run_checked(const std::vector<std::string> &argv, const RunOptions &options = {});

// Moves the calling thread into network namespace `netns` (a name under /run/netns) for the
// scope's lifetime. Sockets opened meanwhile stay in that namespace after the scope ends.
class NetnsScope {
public:
  explicit NetnsScope(const std::string &netns);
  ~NetnsScope();
  NetnsScope(const NetnsScope &) = delete;
  NetnsScope &operator=(const NetnsScope &) = delete;

private:
  int saved_fd_ = -1;
};

// A name no other test process or earlier call of this process uses: "<prefix><pid>n<seq>".
std::string unique_name(const std::string &prefix);

} // namespace xdpchain::test
