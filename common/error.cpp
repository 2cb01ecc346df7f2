#include "common/error.h"

#include <cerrno>
#include <cstring>
#include <sstream>

namespace xdpchain {

namespace {

ErrorKind kind_of_errno(int err) {
  switch (err) {
  case ENOENT:
  case ENODEV:
  case ESRCH:
    return ErrorKind::not_found;
  case EOPNOTSUPP:
  case ENOSYS:
    return ErrorKind::not_supported;
  case EEXIST:
  case EBUSY:
    return ErrorKind::conflict;
  default:
    return ErrorKind::kernel;
  }
}

std::vector<std::string> last_lines(const std::string &text, int count) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(line);
  if (static_cast<int>(lines.size()) > count) lines.erase(lines.begin(), lines.end() - count);
  return lines;
}

} // namespace

Error Error::from_errno(std::string what, int err) {
  if (err < 0) err = -err;
  return Error(kind_of_errno(err), std::move(what), err);
}

std::string Error::str(int log_lines) const {
  std::string out;
  for (const auto &frame : context_)
    out += frame + ": ";
  out += message_;
  if (errno_ != 0) out += std::string(": ") + std::strerror(errno_);
  if (!verifier_log_.empty() && log_lines > 0) {
    out += "\nverifier log (last lines):";
    for (const auto &line : last_lines(verifier_log_, log_lines))
      out += "\n  " + line;
  }
  return out;
}

} // namespace xdpchain
