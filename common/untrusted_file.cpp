#include "common/untrusted_file.h"

#include "common/fd.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace xdpchain {

namespace {

std::string file_kind(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

std::string too_large(const std::string &what, const std::string &path, size_t max_bytes) {
  return what + " '" + path + "' is larger than the limit of " + std::to_string(max_bytes >> 20) +
         " MiB";
}

} // namespace

Result<std::string> read_untrusted_fd(int fd, size_t max_bytes, const std::string &name,
                                      const std::string &what) {
  std::string bytes;
  char buffer[65536];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) // a user's file that cannot be read is bad input (EIO from /proc/self/mem, ...)
      return Error(ErrorKind::invalid_argument, what + " '" + name + "' cannot be read", errno);
    if (n == 0) return bytes;
    if (bytes.size() + static_cast<size_t>(n) > max_bytes)
      return Error(ErrorKind::invalid_argument, too_large(what, name, max_bytes));
    bytes.append(buffer, static_cast<size_t>(n));
  }
}

Result<std::string> read_untrusted_file(const std::string &path, size_t max_bytes,
                                        const std::string &what) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then refuses it.
  int raw = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (raw < 0) {
    int err = errno;
    if (err == ENOENT) return Error(ErrorKind::not_found, what + " '" + path + "': open", err);
    return Error(ErrorKind::invalid_argument, what + " '" + path + "' cannot be opened", err);
  }
  Fd fd(raw);
  struct stat st;
  if (fstat(fd.get(), &st) != 0) return Error::from_errno(what + " '" + path + "': stat", errno);
  if (!S_ISREG(st.st_mode))
    return Error(ErrorKind::invalid_argument,
                 what + " '" + path + "' is " + file_kind(st.st_mode) + ", not a regular file");
  if (static_cast<unsigned long long>(st.st_size) > max_bytes)
    return Error(ErrorKind::invalid_argument, too_large(what, path, max_bytes));
  // Regular files ignore O_NONBLOCK; the size check above is repeated while reading in case
  // the file grows (or reports a size of 0, as /proc files do).
  return read_untrusted_fd(fd.get(), max_bytes, path, what);
}

} // namespace xdpchain
