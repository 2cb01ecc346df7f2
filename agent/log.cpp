#include "agent/log.h"

#include <systemd/sd-daemon.h>

#include <cstdio>
#include <mutex>

namespace xdpchain::agent {

namespace {

void write_line(const char *priority, const std::string &message) {
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  std::fprintf(stderr, "%sxdpchain-agent: %s\n", priority, message.c_str());
  std::fflush(stderr);
}

} // namespace

void log_error(const std::string &message) {
  write_line(SD_ERR, message);
}
void log_warning(const std::string &message) {
  write_line(SD_WARNING, message);
}
void log_info(const std::string &message) {
  write_line(SD_INFO, message);
}

} // namespace xdpchain::agent
