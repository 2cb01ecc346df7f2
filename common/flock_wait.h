// Waiting for an exclusive flock in arrival order, for at most a given time.
#pragma once

#include <chrono>

namespace xdpchain {

// Takes an exclusive flock on `fd`, waiting at most `timeout`. Returns 0 once locked,
// ETIMEDOUT when the time ran out, or the errno flock failed with.
//
// The wait is a blocking flock, because the kernel queues blocked flock requests in the
// order they arrived (fs/locks.c since Linux 5.0; kernel behaviour, not a documented promise,
// which tests/dispatcher/flock_wait_unit_test.cpp checks) and wakes the oldest waiter on
// release; polling with LOCK_NB instead hands the lock to whichever waiter polls first, so
// under steady contention one writer can wait indefinitely. The order is approximate: a
// newcomer can still take the lock in the moment between a release and the oldest waiter
// taking it, and a waiter interrupted by another signal queues again at the back. The blocking call
// is bounded by a per-thread timer that interrupts it with a real-time signal (flock_wake_signal(),
// given a no-op handler while its disposition is the default). When that signal already has another
// handler, or is blocked in the calling thread, the wait falls back to polling every 4 ms.
int flock_exclusive_in_order(int fd, std::chrono::milliseconds timeout);

// The real-time signal used to end a wait (SIGRTMAX - 2). Its no-op handler, once installed,
// stays; an embedding program that wants the signal should install its own handler before
// the first chain operation (then waits poll) and never reset it to the default while a
// chain operation may be waiting (docs/library.md).
int flock_wake_signal();

} // namespace xdpchain
