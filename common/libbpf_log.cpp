#include "common/libbpf_log.h"

#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include <cstdarg>
#include <cstdio>

namespace xdpchain {

namespace {

thread_local LibbpfLogCapture *g_capture = nullptr;
thread_local std::string *g_capture_text = nullptr;
bool g_verbose = false;

int print_message(const char *format, va_list args) {
  char buffer[4096];
  va_list copy;
  va_copy(copy, args);
  int n = vsnprintf(buffer, sizeof buffer, format, copy);
  va_end(copy);
  std::string message;
  if (n >= static_cast<int>(sizeof buffer)) {
    message.resize(n + 1);
    vsnprintf(message.data(), message.size(), format, args);
    message.resize(n);
  } else if (n > 0) {
    message.assign(buffer, n);
  }
  if (g_capture_text) *g_capture_text += message;
  if (g_verbose) fputs(message.c_str(), stderr);
  return n;
}

int libbpf_print(enum libbpf_print_level level, const char *format, va_list args) {
  if (level == LIBBPF_DEBUG && !g_verbose) return 0;
  return print_message(format, args);
}

int libxdp_print(enum libxdp_print_level level, const char *format, va_list args) {
  if (level == LIBXDP_DEBUG && !g_verbose) return 0;
  return print_message(format, args);
}

} // namespace

void init_library_logging(bool verbose) {
  g_verbose = verbose;
  libbpf_set_print(libbpf_print);
  libxdp_set_print(libxdp_print);
}

LibbpfLogCapture::LibbpfLogCapture() : outer_(g_capture) {
  static bool initialised = [] {
    libbpf_set_print(libbpf_print);
    libxdp_set_print(libxdp_print);
    return true;
  }();
  (void)initialised;
  g_capture = this;
  g_capture_text = &text_;
}

LibbpfLogCapture::~LibbpfLogCapture() {
  g_capture = outer_;
  g_capture_text = outer_ ? &outer_->text_ : nullptr;
  if (outer_) outer_->text_ += text_;
}

std::string LibbpfLogCapture::verifier_log() const {
  const std::string begin = "-- BEGIN PROG LOAD LOG --";
  const std::string end = "-- END PROG LOAD LOG --";
  auto b = text_.find(begin);
  if (b == std::string::npos) return "";
  b += begin.size();
  auto e = text_.find(end, b);
  std::string log = text_.substr(b, e == std::string::npos ? std::string::npos : e - b);
  while (!log.empty() && (log.front() == '\n'))
    log.erase(log.begin());
  return log;
}

} // namespace xdpchain
