#include "common/flock_wait.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <ctime>
#include <sys/file.h>
#include <thread>
#include <unistd.h>

namespace xdpchain {
namespace {

void ignore_wake(int) {}

// Installs the no-op handler (without SA_RESTART, so a blocked flock returns EINTR) unless
// the signal already has another disposition; checked on every wait, because the embedding
// program may take the signal at any time. False when the signal cannot be used here.
bool wake_signal_ready() {
  struct sigaction current = {};
  if (sigaction(flock_wake_signal(), nullptr, &current) != 0) return false;
  const bool plain = !(current.sa_flags & SA_SIGINFO);
  if (!plain || (current.sa_handler != ignore_wake && current.sa_handler != SIG_DFL))
    return false; // someone else's
  if (current.sa_handler == SIG_DFL) {
    struct sigaction action = {};
    action.sa_handler = ignore_wake;
    sigemptyset(&action.sa_mask);
    if (sigaction(flock_wake_signal(), &action, nullptr) != 0) return false;
  }
  sigset_t blocked;
  return pthread_sigmask(SIG_BLOCK, nullptr, &blocked) == 0 &&
         sigismember(&blocked, flock_wake_signal()) == 0;
}

int poll_for_lock(int fd, std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    if (flock(fd, LOCK_EX | LOCK_NB) == 0) return 0;
    if (errno == EINTR) continue;
    if (errno != EWOULDBLOCK) return errno;
    if (std::chrono::steady_clock::now() >= deadline) return ETIMEDOUT;
    std::this_thread::sleep_for(std::chrono::milliseconds(4));
  }
}

timespec to_timespec(std::chrono::nanoseconds ns) {
  const auto s = std::chrono::duration_cast<std::chrono::seconds>(ns);
  return {static_cast<time_t>(s.count()), static_cast<long>((ns - s).count())};
}

// A timer that signals this thread at the deadline and every 10 ms after it, so a signal
// that arrives just before flock is entered is followed by another one.
class WakeTimer {
public:
  explicit WakeTimer(std::chrono::milliseconds after) {
    sigevent event = {};
    event.sigev_notify = SIGEV_THREAD_ID;
    event.sigev_signo = flock_wake_signal();
    event._sigev_un._tid = gettid();
    if (timer_create(CLOCK_MONOTONIC, &event, &timer_) != 0) return;
    itimerspec when = {};
    when.it_value = to_timespec(std::max(after, std::chrono::milliseconds(1)));
    when.it_interval = to_timespec(std::chrono::milliseconds(10));
    armed_ = timer_settime(timer_, 0, &when, nullptr) == 0;
    if (!armed_) timer_delete(timer_);
  }
  ~WakeTimer() {
    if (armed_) timer_delete(timer_);
  }
  WakeTimer(const WakeTimer &) = delete;
  WakeTimer &operator=(const WakeTimer &) = delete;
  bool armed() const { return armed_; }

private:
  timer_t timer_{};
  bool armed_ = false;
};

} // namespace

int flock_wake_signal() {
  return SIGRTMAX - 2;
}

int flock_exclusive_in_order(int fd, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  if (flock(fd, LOCK_EX | LOCK_NB) == 0) return 0;
  if (errno != EWOULDBLOCK && errno != EINTR) return errno;
  if (timeout.count() <= 0) return ETIMEDOUT;
  if (!wake_signal_ready()) return poll_for_lock(fd, deadline);
  WakeTimer timer(timeout);
  if (!timer.armed()) return poll_for_lock(fd, deadline);
  for (;;) {
    if (flock(fd, LOCK_EX) == 0) return 0;
    if (errno != EINTR) return errno;
    if (std::chrono::steady_clock::now() >= deadline) return ETIMEDOUT;
  }
}

} // namespace xdpchain
