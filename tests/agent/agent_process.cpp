#include "tests/agent/agent_process.h"

#include "tests/support/bpf_kernel.h"
#include "tests/support/xdpchain_cli.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>

namespace xdpchain::test {

AgentProcess::AgentProcess(const std::string &bpffs_root, const std::string &config_dir,
                           int resync_seconds, const std::vector<std::string> &extra) {
  log_path_ = std::filesystem::temp_directory_path() / (unique_name("xdpchain-agent-") + ".log");
  std::vector<std::string> args = {XdpchainCli::binary(),
                                   "--bpffs",
                                   bpffs_root,
                                   "agent",
                                   "--config-dir",
                                   config_dir,
                                   "--metrics-address",
                                   "127.0.0.1:0",
                                   "--resync",
                                   std::to_string(resync_seconds)};
  args.insert(args.end(), extra.begin(), extra.end());
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    int out = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int in = open("/dev/null", O_RDONLY);
    dup2(in, 0);
    dup2(out, 1);
    dup2(out, 2);
    unsetenv("NOTIFY_SOCKET");
    std::vector<char *> argv;
    for (auto &arg : args)
      argv.push_back(arg.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  bool ready = wait_until(
      [&] {
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
          pid_ = -1;
          return true;
        }
        return log().find("xdpchain-agent: ready:") != std::string::npos;
      },
      std::chrono::seconds(30));
  if (!ready || pid_ < 0) throw std::runtime_error("agent did not start:\n" + log());
  std::smatch match;
  std::string text = log();
  if (!std::regex_search(text, match, std::regex(R"(http://127\.0\.0\.1:(\d+)/metrics)")))
    throw std::runtime_error("agent did not say its metrics port:\n" + text);
  port_ = std::stoi(match[1]);
}

AgentProcess::~AgentProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  std::error_code ec;
  std::filesystem::remove(log_path_, ec);
}

std::string AgentProcess::log() const {
  std::ifstream in(log_path_);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string AgentProcess::http_get(const std::string &path) const {
  CommandResult r = run_command(
      {"curl", "-sf", "--max-time", "5", "http://127.0.0.1:" + std::to_string(port_) + path});
  return r.exit_code == 0 ? r.out : "";
}

double AgentProcess::metric(const std::string &prefix) const {
  std::istringstream lines(http_get("/metrics"));
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind(prefix, 0) != 0) continue;
    char next = line.size() > prefix.size() ? line[prefix.size()] : ' ';
    if (next != ' ' && next != '{' && next != ',' && prefix.back() != '}' && prefix.back() != ',')
      continue;
    return std::stod(line.substr(line.rfind(' ') + 1));
  }
  return -1;
}

int AgentProcess::stop(int signal, std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return -1;
  kill(pid_, signal);
  int code = -1;
  wait_until(
      [&] {
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) != pid_) return false;
        code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        pid_ = -1;
        return true;
      },
      timeout);
  return code;
}

} // namespace xdpchain::test
