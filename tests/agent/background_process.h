// A long-running command started by a test (the agent, a Prometheus server): its stdout and
// stderr go to a log file, and it is killed when the object goes.
#pragma once

#include <chrono>
#include <string>
#include <sys/types.h>
#include <vector>

namespace xdpchain::test {

class BackgroundProcess {
public:
  // Starts argv (argv[0] a path) with stdin from /dev/null; throws std::runtime_error when it
  // cannot be started.
  explicit BackgroundProcess(std::vector<std::string> argv);
  ~BackgroundProcess(); // SIGKILL when still running; removes the log
  BackgroundProcess(const BackgroundProcess &) = delete;
  BackgroundProcess &operator=(const BackgroundProcess &) = delete;

  std::string log() const;
  // Whether it still runs (reaps it when it has exited).
  bool running();
  // Sends `signal` and waits up to `timeout` for the exit: the exit code (128 + signal
  // when killed), -1 on timeout.
  int stop(int signal, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  pid_t pid() const { return pid_; }

private:
  pid_t pid_ = -1;
  int exit_code_ = -1;
  std::string log_path_;
};

} // namespace xdpchain::test
