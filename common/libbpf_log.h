// libbpf and libxdp print through callbacks. We keep them quiet by default and capture what
// they say during an operation, so an error can carry the verifier log that libbpf printed.
#pragma once

#include <string>

namespace xdpchain {

// Installs our print callbacks once; `verbose` also echoes every message to stderr.
void init_library_logging(bool verbose);

// While alive, messages from libbpf/libxdp on this thread are appended to text().
class LibbpfLogCapture {
public:
  LibbpfLogCapture();
  ~LibbpfLogCapture();
  LibbpfLogCapture(const LibbpfLogCapture &) = delete;
  LibbpfLogCapture &operator=(const LibbpfLogCapture &) = delete;

  const std::string &text() const { return text_; }
  // The verifier's log libbpf printed between its BEGIN/END PROG LOAD LOG markers, or "".
  std::string verifier_log() const;

private:
  std::string text_;
  LibbpfLogCapture *outer_;
};

} // namespace xdpchain
