#include "tests/agent/background_process.h"

#include "tests/support/bpf_kernel.h"
#include "tests/support/process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace xdpchain::test {

BackgroundProcess::BackgroundProcess(std::vector<std::string> argv) {
  log_path_ = std::filesystem::temp_directory_path() / (unique_name("xdpchain-bg-") + ".log");
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    int out = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int in = open("/dev/null", O_RDONLY);
    dup2(in, 0);
    dup2(out, 1);
    dup2(out, 2);
    std::vector<char *> args;
    for (auto &arg : argv)
      args.push_back(arg.data());
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
}

BackgroundProcess::~BackgroundProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  std::error_code ec;
  std::filesystem::remove(log_path_, ec);
}

std::string BackgroundProcess::log() const {
  std::ifstream in(log_path_);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

bool BackgroundProcess::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) != pid_) return true;
  exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  pid_ = -1;
  return false;
}

int BackgroundProcess::stop(int signal, std::chrono::milliseconds timeout) {
  if (pid_ > 0) kill(pid_, signal);
  if (!wait_until([&] { return !running(); }, timeout)) return -1;
  return exit_code_;
}

} // namespace xdpchain::test
