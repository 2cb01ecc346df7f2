// Public API (docs/library.md). Error values carried through every module and returned by
// the library: an errno, a message, context frames added noun-first by each layer
// ("interface 'eth0': slot 3: program 'fw'"), hints and an optional verifier log. The CLI
// turns them into text and exit codes.
#pragma once

#include <xdpchain/export.h>

#include <string>
#include <vector>

namespace xdpchain {

enum class ErrorKind {
  invalid_argument, // bad input from the user (file, flag, name)
  not_found,        // interface, program, pin or label does not exist
  not_supported,    // the kernel or the interface cannot do it
  conflict,         // someone else owns the interface, or a race was lost
  kernel,           // a syscall failed for another reason
  io,               // file system trouble
};

class XDPCHAIN_API Error {
public:
  Error(ErrorKind kind, std::string message, int err = 0)
      : kind_(kind), message_(std::move(message)), errno_(err) {}

  // An error from a failed syscall or libbpf call: `err` may be negative (libbpf style).
  static Error from_errno(std::string what, int err);

  ErrorKind kind() const { return kind_; }
  int err() const { return errno_; }
  const std::string &message() const { return message_; }
  const std::vector<std::string> &context() const { return context_; }
  const std::string &verifier_log() const { return verifier_log_; }
  const std::vector<std::string> &hints() const { return hints_; }

  // Adds an outer context frame; frames print outermost first.
  Error &wrap(std::string frame) {
    context_.insert(context_.begin(), std::move(frame));
    return *this;
  }
  Error &with_verifier_log(std::string log) {
    verifier_log_ = std::move(log);
    return *this;
  }
  Error &hint(std::string text) {
    hints_.push_back(std::move(text));
    return *this;
  }

  // "frame: frame: message: strerror", then the last `log_lines` of the verifier log.
  std::string str(int log_lines = 8) const;

private:
  ErrorKind kind_;
  std::string message_;
  int errno_ = 0;
  std::vector<std::string> context_;
  std::string verifier_log_;
  std::vector<std::string> hints_;
};

} // namespace xdpchain
