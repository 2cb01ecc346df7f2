#include "tests/support/process.h"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

namespace xdpchain::test {

namespace {

std::string errno_text(const std::string &what) {
  return what + ": " + std::strerror(errno);
}

std::string join(const std::vector<std::string> &argv) {
  std::string s;
  for (const auto &arg : argv) {
    if (!s.empty()) s += ' ';
    s += arg;
  }
  return s;
}

class Pipe {
public:
  Pipe() {
    if (pipe2(fds_, O_CLOEXEC) != 0) throw std::runtime_error(errno_text("pipe2"));
  }
  ~Pipe() {
    close_read();
    close_write();
  }
  int read_fd() const { return fds_[0]; }
  int write_fd() const { return fds_[1]; }
  void close_read() { close_fd(fds_[0]); }
  void close_write() { close_fd(fds_[1]); }

private:
  static void close_fd(int &fd) {
    if (fd >= 0) close(fd);
    fd = -1;
  }
  int fds_[2] = {-1, -1};
};

} // namespace

std::ostream &operator<<(std::ostream &os, const CommandResult &result) {
  os << "`" << result.command << "` exited with " << result.exit_code
     << (result.timed_out ? " (timed out)" : "") << "\n--- stdout ---\n"
     << result.out << "\n--- stderr ---\n"
     << result.err << "\n---";
  return os;
}

CommandResult run_command(const std::vector<std::string> &argv, const RunOptions &options) {
  if (argv.empty()) throw std::invalid_argument("run_command: empty argv");
  CommandResult result;
  result.command = join(argv);
  if (!options.netns.empty()) result.command = "[netns " + options.netns + "] " + result.command;

  int netns_fd = -1;
  if (!options.netns.empty()) {
    netns_fd = open(("/run/netns/" + options.netns).c_str(), O_RDONLY | O_CLOEXEC);
    if (netns_fd < 0) throw std::runtime_error(errno_text("netns " + options.netns));
  }
  std::vector<char *> cargv;
  for (const auto &arg : argv)
    cargv.push_back(const_cast<char *>(arg.c_str()));
  cargv.push_back(nullptr);

  Pipe out, err;
  pid_t pid = fork();
  if (pid < 0) {
    if (netns_fd >= 0) close(netns_fd);
    throw std::runtime_error(errno_text("fork"));
  }
  if (pid == 0) {
    // Child: async-signal-safe calls only.
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, 0);
    dup2(out.write_fd(), 1);
    dup2(err.write_fd(), 2);
    if (netns_fd >= 0 && setns(netns_fd, CLONE_NEWNET) != 0) {
      static const char msg[] = "run_command: setns failed\n";
      (void)!write(2, msg, sizeof msg - 1);
      _exit(127);
    }
    execvp(cargv[0], cargv.data());
    static const char msg[] = "run_command: exec failed\n";
    (void)!write(2, msg, sizeof msg - 1);
    _exit(127);
  }
  if (netns_fd >= 0) close(netns_fd);
  out.close_write();
  err.close_write();

  const auto deadline = std::chrono::steady_clock::now() + options.timeout;
  pollfd fds[2] = {{out.read_fd(), POLLIN, 0}, {err.read_fd(), POLLIN, 0}};
  std::string *sinks[2] = {&result.out, &result.err};
  int open_fds = 2;
  while (open_fds > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      result.timed_out = true;
      kill(pid, SIGKILL);
      break;
    }
    int n = poll(fds, 2, static_cast<int>(left.count()));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buf[4096];
      ssize_t got = read(fds[i].fd, buf, sizeof buf);
      if (got > 0) {
        sinks[i]->append(buf, static_cast<size_t>(got));
      } else if (got == 0 || errno != EINTR) {
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status))
    result.exit_code = WEXITSTATUS(status);
  else if (WIFSIGNALED(status))
    result.exit_code = 128 + WTERMSIG(status);
  return result;
}

CommandResult run_checked(const std::vector<std::string> &argv, const RunOptions &options) {
  CommandResult result = run_command(argv, options);
  if (result.exit_code != 0 || result.timed_out) {
    std::ostringstream os;
    os << result;
    throw std::runtime_error(os.str());
  }
  return result;
}

NetnsScope::NetnsScope(const std::string &netns) {
  saved_fd_ = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (saved_fd_ < 0) throw std::runtime_error(errno_text("open /proc/thread-self/ns/net"));
  int fd = open(("/run/netns/" + netns).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || setns(fd, CLONE_NEWNET) != 0) {
    std::string message = errno_text("enter netns " + netns);
    if (fd >= 0) close(fd);
    close(saved_fd_);
    throw std::runtime_error(message);
  }
  close(fd);
}

NetnsScope::~NetnsScope() {
  // Failing to get back would run the rest of the test in the wrong namespace.
  if (setns(saved_fd_, CLONE_NEWNET) != 0) std::abort();
  close(saved_fd_);
}

std::string unique_name(const std::string &prefix) {
  static std::atomic<unsigned> sequence{0};
  return prefix + std::to_string(getpid()) + "n" + std::to_string(sequence++);
}

} // namespace xdpchain::test
