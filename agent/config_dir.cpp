#include "agent/config_dir.h"

#include "agent/problem_text.h"
#include "common/fd.h"
#include "common/untrusted_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <malloc.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <functional>
#include <string_view>

namespace xdpchain::agent {

namespace {

// A file modified less than this long ago may still be in the middle of a write that
// inotify could not report (the watch was lost, or its queue overflowed).
constexpr auto kSettleTime = std::chrono::milliseconds(200);

bool is_manifest_name(const std::string &name) {
  if (name.empty() || name[0] == '.') return false;
  auto ends_with = [&](const std::string &suffix) {
    return name.size() > suffix.size() &&
           name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return ends_with(".yaml") || ends_with(".yml");
}

// The manifest names in `dir`, sorted; an error when the directory cannot be listed (it
// is gone, unreadable, or the listing failed midway): then nothing may be concluded.
Result<std::vector<std::string>> manifest_names(const std::string &dir) {
  DIR *stream = ::opendir(dir.c_str());
  if (!stream) return Error::from_errno("config dir '" + dir + "': cannot be listed", errno);
  std::vector<std::string> names;
  errno = 0;
  while (dirent *entry = ::readdir(stream)) {
    std::string name = entry->d_name;
    if (is_manifest_name(name)) names.push_back(std::move(name));
    errno = 0;
  }
  int err = errno;
  ::closedir(stream);
  if (err != 0) return Error::from_errno("config dir '" + dir + "': listing failed", err);
  std::sort(names.begin(), names.end());
  return names;
}

FileStamp stamp_from(const struct stat &st) {
  return {st.st_dev, st.st_ino, st.st_size, st.st_mtim};
}

bool modified_just_now(const FileStamp &stamp) {
  timespec now{};
  ::clock_gettime(CLOCK_REALTIME, &now);
  auto age = std::chrono::seconds(now.tv_sec - stamp.mtime.tv_sec) +
             std::chrono::nanoseconds(now.tv_nsec - stamp.mtime.tv_nsec);
  return age < kSettleTime && age > -std::chrono::seconds(1);
}

// One look at a manifest file: opened without blocking (a FIFO, device or socket is
// refused, never waited on), its stamp taken from the open file.
struct Opened {
  Fd fd;
  FileStamp stamp;
  bool gone = false; // no such name any more
  std::string error; // cannot be read: why
};

Opened open_manifest(const std::string &path) {
  Opened out;
  int raw = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (raw < 0) {
    int err = errno;
    struct stat st {};
    if (err == ENOENT && ::lstat(path.c_str(), &st) != 0 && errno == ENOENT) {
      out.gone = true;
      return out;
    }
    out.error = "manifest '" + path + "' cannot be opened: " +
                (err == ENOENT ? "a symlink to nothing" : std::strerror(err));
    return out;
  }
  out.fd = Fd(raw);
  struct stat st {};
  if (::fstat(out.fd.get(), &st) != 0) {
    out.error = "manifest '" + path + "': stat: " + std::strerror(errno);
    return out;
  }
  out.stamp = stamp_from(st);
  if (!S_ISREG(st.st_mode))
    out.error = "manifest '" + path + "' is not a regular file";
  else if (static_cast<unsigned long long>(st.st_size) > kMaxManifestBytes)
    out.error = "manifest '" + path + "' is larger than the limit of " +
                std::to_string(kMaxManifestBytes >> 20) + " MiB";
  return out;
}

bool same_targets(const std::vector<ChainTarget> &a, const std::vector<ChainTarget> &b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].origin != b[i].origin || interface_key(a[i]) != interface_key(b[i])) return false;
  return true;
}

} // namespace

bool FileStamp::operator==(const FileStamp &other) const {
  return dev == other.dev && ino == other.ino && size == other.size &&
         mtime.tv_sec == other.mtime.tv_sec && mtime.tv_nsec == other.mtime.tv_nsec;
}

std::optional<FileStamp> stamp_of(const std::string &path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return stamp_from(st);
}

manifests::LoadedManifest load_agent_manifest(const std::string &text, const std::string &path,
                                              const std::string &state_root) {
  manifests::LoadOptions options;
  options.validate.state_root = state_root;
  options.validate.netns_exists = [](const std::string &) { return true; };
  options.validate.interface_exists = [](const std::string &, const std::string &) -> Result<bool> {
    return true;
  };
  return manifests::load_manifest_text(text, path, options);
}

std::string interface_key(const ChainTarget &target) {
  return target.netns + "/" + target.spec.interface;
}

std::string describe(const ChainTarget &target) {
  std::string text = "chain '" + target.name + "' on interface '" + target.spec.interface + "'";
  if (!target.netns.empty()) text += " in network namespace '" + target.netns + "'";
  return text;
}

ScanResult ConfigDir::scan(bool reread, const std::set<std::string> &being_written) {
  ScanResult result;
  auto names = manifest_names(path_);
  if (!names) {
    result.directory_error = names.error().str();
    return result; // fail closed: every file keeps its chains
  }
  const std::vector<ChainTarget> before = stored_targets();
  std::set<std::string> present;
  bool read_large = false;
  for (const auto &name : *names) {
    const std::string path = path_ + "/" + name;
    Opened opened = open_manifest(path);
    if (opened.gone) continue;
    present.insert(path);
    auto it = files_.find(path);
    if (!opened.error.empty()) {
      FileState &state = files_[path];
      if (state.read_error != opened.error) result.changed_files.push_back(path);
      state.read_error = opened.error;
      continue;
    }
    bool known = it != files_.end() && it->second.read_error.empty();
    if (!reread && known && it->second.stamp == opened.stamp) continue;
    if (being_written.count(name) || modified_just_now(opened.stamp)) {
      result.settling.push_back(path);
      continue;
    }
    auto text = read_untrusted_fd(opened.fd.get(), kMaxManifestBytes, path, "manifest");
    FileState &state = files_[path];
    if (!text) {
      std::string error = text.error().str();
      if (state.read_error != error) result.changed_files.push_back(path);
      state.read_error = std::move(error);
      continue;
    }
    read_large |= text->size() > (1u << 20);
    uint64_t hash = std::hash<std::string_view>{}(*text);
    bool was_unreadable = !state.read_error.empty();
    state.read_error.clear();
    state.stamp = opened.stamp;
    if (!reread && known && state.content_hash == hash) continue; // touched, not changed
    if (!reread && was_unreadable && state.content_hash == hash && state.problem_count == 0) {
      result.changed_files.push_back(path); // readable again, as it was
      continue;
    }
    state.content_hash = hash;
    manifests::LoadedManifest loaded = load_agent_manifest(*text, path, state_root_);
    state.problem_count = loaded.diagnostics.size();
    state.problems = safe_problem_list(loaded.diagnostics);
    if (loaded.diagnostics.empty()) state.targets = std::move(loaded.targets);
    result.changed_files.push_back(path);
  }
  for (auto it = files_.begin(); it != files_.end();) {
    if (present.count(it->first)) {
      ++it;
      continue;
    }
    result.removed_files.push_back(it->first);
    it = files_.erase(it);
  }
  // A large file's text and parse tree were freed: give the memory back to the system.
  if (read_large || !result.removed_files.empty()) ::malloc_trim(0);
  result.targets_changed = !same_targets(before, stored_targets()) ||
                           !result.removed_files.empty() || !result.changed_files.empty();
  return result;
}

std::vector<ChainTarget> ConfigDir::stored_targets() const {
  std::vector<ChainTarget> all;
  for (const auto &[path, state] : files_)
    all.insert(all.end(), state.targets.begin(), state.targets.end());
  return all;
}

std::set<std::string> ConfigDir::namespaces() const {
  std::set<std::string> all;
  for (const auto &[path, state] : files_)
    for (const auto &stored : state.targets)
      all.insert(stored.netns);
  return all;
}

} // namespace xdpchain::agent
