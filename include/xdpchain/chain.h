// Public API (docs/library.md). Chain: the live chain on one interface, opened once and then
// read (status, counters), planned, changed and taken off. It goes through the same planner
// and swap code as `xdpchain add/remove/status` (which are built on it) and apply_all().
#pragma once

#include <xdpchain/result.h>
#include <xdpchain/spec.h>
#include <xdpchain/status.h>

#include <functional>
#include <memory>
#include <string>

namespace xdpchain {

class XDPCHAIN_API Chain {
public:
  // The interface `interface` in network namespace `netns` ("" = the calling thread's at
  // each call; else a name under /run/netns or a path such as /proc/PID/ns/net). A named
  // namespace is held open for the Chain's lifetime, so it keeps referring to the same
  // namespace. Error not_found when the namespace or the interface does not exist.
  static Result<Chain> open(const std::string &interface, const std::string &netns = "",
                            const ChainOptions &options = {});

  // A moved-from Chain holds nothing: interface() and netns() are empty and every other
  // call returns an invalid_argument error.
  Chain(Chain &&) noexcept;
  Chain &operator=(Chain &&) noexcept;
  Chain(const Chain &) = delete;
  Chain &operator=(const Chain &) = delete;
  ~Chain();

  const std::string &interface() const;
  const std::string &netns() const;

  // The chain as the kernel and bpffs report it now: members in run order with their kernel
  // ids and counters; present is false when xdpchain runs no chain here.
  Result<ChainStatus> status() const;

  // What apply(desired) would change, with every refusal a real apply makes (another tool's
  // program, mode, member limits, objects), touching nothing. desired.interface must be
  // empty or this chain's interface.
  Result<ApplyReport> plan(const ChainSpec &desired) const;

  // Makes the interface run `desired` in one atomic swap; unchanged members keep their
  // programs and counters. On failure nothing changed. An empty member list takes the chain
  // off.
  Result<ApplyReport> apply(const ChainSpec &desired);

  // Under the interface's writer lock: `change` gets the current chain as a spec (only
  // `interface` set when there is none, present false) and returns the desired one, which
  // is applied. For read-modify-write edits that must not race other writers.
  using Edit = std::function<Result<ChainSpec>(const ChainSpec &current, bool present)>;
  Result<ApplyReport> edit(const Edit &change);

  // Takes the chain off the interface and removes its bpffs state (nothing to do when there
  // is no chain).
  Result<ApplyReport> remove();

private:
  struct State;
  explicit Chain(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

} // namespace xdpchain
