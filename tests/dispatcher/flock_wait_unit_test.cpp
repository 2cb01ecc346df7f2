// The interface lock hands itself to waiters in the order they arrived and gives up on time
// (common/flock_wait.h).
#include "common/flock_wait.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace xdpchain {
namespace {

using namespace std::chrono_literals;

class LockFile : public ::testing::Test {
protected:
  void SetUp() override {
    char name[] = "/tmp/xdpchain-flock-XXXXXX";
    const int fd = mkstemp(name);
    ASSERT_GE(fd, 0);
    close(fd);
    path_ = name;
  }
  void TearDown() override { unlink(path_.c_str()); }
  int open_file() const { return open(path_.c_str(), O_RDONLY | O_CLOEXEC); }

  // How many flock requests are blocked on the file (the "->" lines of /proc/locks).
  int waiters() const {
    struct stat st = {};
    if (stat(path_.c_str(), &st) != 0) return -1;
    const std::string inode = ":" + std::to_string(st.st_ino);
    std::ifstream locks("/proc/locks");
    int count = 0;
    for (std::string line; std::getline(locks, line);) {
      std::istringstream in(line);
      std::string id, arrow, kind, advisory, mode, pid, where;
      if (!(in >> id >> arrow >> kind >> advisory >> mode >> pid >> where)) continue;
      if (arrow == "->" && where.size() > inode.size() &&
          where.compare(where.size() - inode.size(), inode.size(), inode) == 0)
        ++count;
    }
    return count;
  }

  bool wait_for_waiters(int n) const {
    for (auto until = std::chrono::steady_clock::now() + 10s;
         std::chrono::steady_clock::now() < until; std::this_thread::sleep_for(2ms))
      if (waiters() == n) return true;
    return false;
  }

  std::string path_;
};

TEST_F(LockFile, WaitersGetTheLockInTheOrderTheyArrived) {
  const int held = open_file();
  ASSERT_EQ(flock(held, LOCK_EX), 0);
  int order[2];
  ASSERT_EQ(pipe(order), 0);
  constexpr int kWaiters = 6;
  std::vector<pid_t> children;
  for (int i = 0; i < kWaiters; ++i) {
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      close(held); // the parent's lock is released when the parent closes it
      const int fd = open_file();
      if (flock_exclusive_in_order(fd, 20s) != 0) _exit(1);
      const char who = static_cast<char>('0' + i);
      if (write(order[1], &who, 1) != 1) _exit(1);
      std::this_thread::sleep_for(20ms); // holds the lock a little, as a command would
      _exit(0);
    }
    children.push_back(child);
    // The next waiter starts only once this one is queued in the kernel.
    ASSERT_TRUE(wait_for_waiters(i + 1)) << "waiter " << i << " never blocked";
  }
  close(order[1]);
  close(held); // releases the lock
  std::string got;
  char who;
  while (read(order[0], &who, 1) == 1)
    got += who;
  close(order[0]);
  for (pid_t child : children) {
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  EXPECT_EQ(got, "012345");
}

TEST_F(LockFile, GivesUpAfterTheTimeoutAndLeavesNoWaiterBehind) {
  const int held = open_file();
  ASSERT_EQ(flock(held, LOCK_EX), 0);
  const int fd = open_file();
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(flock_exclusive_in_order(fd, 300ms), ETIMEDOUT);
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_GE(took, 300ms);
  EXPECT_LT(took, 3s);
  EXPECT_EQ(waiters(), 0);
  close(held);
  EXPECT_EQ(flock_exclusive_in_order(fd, 300ms), 0); // free now: taken at once
  close(fd);
}

// A program that uses the wake signal itself keeps its handler; the wait then polls and
// still ends on time and still gets the lock once it is free.
TEST_F(LockFile, KeepsAnEmbeddingProgramsHandlerOfTheWakeSignal) {
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    static volatile sig_atomic_t theirs = 0;
    struct sigaction action = {};
    action.sa_handler = [](int) { theirs = 1; };
    sigaction(flock_wake_signal(), &action, nullptr);
    const int held = open_file();
    const int fd = open_file();
    if (flock(held, LOCK_EX) != 0) _exit(10);
    if (flock_exclusive_in_order(fd, 200ms) != ETIMEDOUT) _exit(11);
    struct sigaction now = {};
    sigaction(flock_wake_signal(), nullptr, &now);
    if (now.sa_handler != action.sa_handler) _exit(12);
    std::thread release([held] {
      std::this_thread::sleep_for(100ms);
      close(held);
    });
    const int got = flock_exclusive_in_order(fd, 5s);
    release.join();
    _exit(got == 0 && theirs == 0 ? 0 : 13);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

} // namespace
} // namespace xdpchain
