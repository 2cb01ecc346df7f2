#include "tests/support/bpf_kernel.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <linux/bpf.h>
#include <stdexcept>
#include <thread>
#include <unistd.h>

namespace xdpchain::test {

namespace {

std::string errno_text(int err) {
  return std::strerror(err < 0 ? -err : err);
}

class ScopedFd {
public:
  explicit ScopedFd(int fd) : fd_(fd) {}
  ~ScopedFd() {
    if (fd_ >= 0) close(fd_);
  }
  ScopedFd(const ScopedFd &) = delete;
  ScopedFd &operator=(const ScopedFd &) = delete;
  int get() const { return fd_; }

private:
  int fd_;
};

bool exists(int fd) {
  if (fd >= 0) {
    close(fd);
    return true;
  }
  if (errno == ENOENT) return false;
  throw std::runtime_error(std::string("get fd by id: ") + std::strerror(errno));
}

// Opens `path` and makes every program in an `xdp...` section an XDP program.
bpf_object *open_object(const std::string &path) {
  bpf_object *object = bpf_object__open_file(path.c_str(), nullptr);
  if (!object) throw std::runtime_error(path + ": open: " + errno_text(errno));
  bpf_program *prog;
  bpf_object__for_each_program(prog, object) {
    std::string section = bpf_program__section_name(prog);
    if (section.rfind("xdp", 0) == 0 && bpf_program__type(prog) != BPF_PROG_TYPE_XDP)
      bpf_program__set_type(prog, BPF_PROG_TYPE_XDP);
  }
  return object;
}

} // namespace

LoadedObject::LoadedObject(const std::string &path) : path_(path) {
  object_ = open_object(path);
  std::vector<char> log(1 << 20);
  bpf_program *prog;
  bpf_object__for_each_program(prog, object_) {
    bpf_program__set_log_buf(prog, log.data(), log.size());
  }
  if (int err = bpf_object__load(object_); err != 0) {
    std::string message = path + ": load: " + errno_text(err) + "\n" + log.data();
    bpf_object__close(object_);
    object_ = nullptr;
    throw std::runtime_error(message);
  }
  // The log buffer goes away with this constructor.
  bpf_object__for_each_program(prog, object_) {
    bpf_program__set_log_buf(prog, nullptr, 0);
  }
}

LoadedObject::~LoadedObject() {
  bpf_object__close(object_);
}

int LoadedObject::program_fd(const std::string &name) const {
  bpf_program *prog = bpf_object__find_program_by_name(object_, name.c_str());
  if (!prog) throw std::runtime_error(path_ + ": no program " + name);
  return bpf_program__fd(prog);
}

std::string LoadedObject::section_name(const std::string &name) const {
  bpf_program *prog = bpf_object__find_program_by_name(object_, name.c_str());
  if (!prog) throw std::runtime_error(path_ + ": no program " + name);
  return bpf_program__section_name(prog);
}

int LoadedObject::map_fd(const std::string &name) const {
  int fd = bpf_object__find_map_fd_by_name(object_, name.c_str());
  if (fd < 0) throw std::runtime_error(path_ + ": no map " + name);
  return fd;
}

std::vector<std::string> LoadedObject::program_names() const {
  std::vector<std::string> names;
  bpf_program *prog;
  bpf_object__for_each_program(prog, object_) {
    names.emplace_back(bpf_program__name(prog));
  }
  return names;
}

std::string verifier_log_of_refused(const std::string &path) {
  try {
    LoadedObject object(path);
  } catch (const std::runtime_error &e) {
    return e.what();
  }
  return {};
}

TestRunResult test_run(int prog_fd, const std::vector<uint8_t> &packet) {
  TestRunResult result;
  result.packet.resize(packet.size() + 256);
  LIBBPF_OPTS(bpf_test_run_opts, opts);
  opts.data_in = packet.data();
  opts.data_size_in = static_cast<uint32_t>(packet.size());
  opts.data_out = result.packet.data();
  opts.data_size_out = static_cast<uint32_t>(result.packet.size());
  opts.repeat = 1;
  if (int err = bpf_prog_test_run_opts(prog_fd, &opts); err != 0)
    throw std::runtime_error("BPF_PROG_TEST_RUN: " + errno_text(err));
  result.verdict = static_cast<int>(opts.retval);
  result.packet.resize(opts.data_size_out);
  return result;
}

std::string verdict_name(int verdict) {
  static const char *names[] = {"XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX", "XDP_REDIRECT"};
  if (verdict >= 0 && verdict <= 4) return names[verdict];
  return std::to_string(verdict);
}

bool prog_exists(uint32_t id) {
  return exists(bpf_prog_get_fd_by_id(id));
}
bool link_exists(uint32_t id) {
  return exists(bpf_link_get_fd_by_id(id));
}
bool map_exists(uint32_t id) {
  return exists(bpf_map_get_fd_by_id(id));
}

std::vector<uint32_t> prog_map_ids(uint32_t prog_id) {
  ScopedFd fd(bpf_prog_get_fd_by_id(prog_id));
  if (fd.get() < 0)
    throw std::runtime_error("program id " + std::to_string(prog_id) + ": " + errno_text(errno));
  std::vector<uint32_t> ids(64);
  bpf_prog_info info{};
  info.nr_map_ids = static_cast<uint32_t>(ids.size());
  info.map_ids = reinterpret_cast<uint64_t>(ids.data());
  uint32_t len = sizeof info;
  if (int err = bpf_obj_get_info_by_fd(fd.get(), &info, &len); err != 0)
    throw std::runtime_error("program id " + std::to_string(prog_id) +
                             ": info: " + errno_text(err));
  ids.resize(std::min<size_t>(info.nr_map_ids, ids.size()));
  return ids;
}

namespace {

// "prog", "map" or "link", from the fd's /proc fdinfo; "" for anything else.
std::string bpf_fd_kind(int fd) {
  std::ifstream in("/proc/self/fdinfo/" + std::to_string(fd));
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("prog_type:", 0) == 0) return "prog";
    if (line.rfind("map_type:", 0) == 0) return "map";
    if (line.rfind("link_type:", 0) == 0) return "link";
  }
  return "";
}

void hold_program(HeldObjects &held, uint32_t id);

void hold_map(HeldObjects &held, uint32_t id) {
  if (!held.maps.insert(id).second) return;
  ScopedFd fd(bpf_map_get_fd_by_id(id));
  if (fd.get() < 0) return;
  bpf_map_info info{};
  uint32_t len = sizeof info;
  if (bpf_obj_get_info_by_fd(fd.get(), &info, &len) != 0) return;
  if (info.type != BPF_MAP_TYPE_PROG_ARRAY) return;
  for (uint32_t key = 0; key < info.max_entries; ++key) {
    uint32_t prog = 0;
    if (bpf_map_lookup_elem(fd.get(), &key, &prog) == 0) hold_program(held, prog);
  }
}

void hold_program(HeldObjects &held, uint32_t id) {
  if (id == 0 || !held.programs.insert(id).second) return;
  try {
    for (uint32_t map : prog_map_ids(id))
      hold_map(held, map);
  } catch (const std::runtime_error &) {
    // freed meanwhile
  }
}

} // namespace

HeldObjects objects_held_by(const std::string &bpffs_dir, uint32_t attached_prog) {
  HeldObjects held;
  hold_program(held, attached_prog);
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(bpffs_dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    ScopedFd fd(bpf_obj_get(it->path().c_str()));
    if (fd.get() < 0) continue;
    const std::string kind = bpf_fd_kind(fd.get());
    if (kind == "prog") {
      bpf_prog_info info{};
      uint32_t len = sizeof info;
      if (bpf_obj_get_info_by_fd(fd.get(), &info, &len) == 0) hold_program(held, info.id);
    } else if (kind == "map") {
      bpf_map_info info{};
      uint32_t len = sizeof info;
      if (bpf_obj_get_info_by_fd(fd.get(), &info, &len) == 0) hold_map(held, info.id);
    } else if (kind == "link") {
      bpf_link_info info{};
      uint32_t len = sizeof info;
      if (bpf_obj_get_info_by_fd(fd.get(), &info, &len) == 0) hold_program(held, info.prog_id);
    }
  }
  return held;
}

std::optional<uint32_t> find_map(const std::vector<uint32_t> &map_ids, const std::string &name) {
  for (uint32_t id : map_ids) {
    ScopedFd fd(bpf_map_get_fd_by_id(id));
    if (fd.get() < 0) continue;
    bpf_map_info info{};
    uint32_t len = sizeof info;
    if (bpf_obj_get_info_by_fd(fd.get(), &info, &len) == 0 && name.compare(0, 15, info.name) == 0)
      return id;
  }
  return std::nullopt;
}

uint64_t read_array_u64(uint32_t map_id, uint32_t key) {
  ScopedFd fd(bpf_map_get_fd_by_id(map_id));
  if (fd.get() < 0)
    throw std::runtime_error("map id " + std::to_string(map_id) + ": " + errno_text(errno));
  uint64_t value = 0;
  if (int err = bpf_map_lookup_elem(fd.get(), &key, &value); err != 0)
    throw std::runtime_error("map id " + std::to_string(map_id) + ": lookup: " + errno_text(err));
  return value;
}

bool wait_until(const std::function<bool()> &done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

bool prog_gone(uint32_t id, std::chrono::milliseconds timeout) {
  return wait_until([id] { return !prog_exists(id); }, timeout);
}
bool link_gone(uint32_t id, std::chrono::milliseconds timeout) {
  return wait_until([id] { return !link_exists(id); }, timeout);
}
bool map_gone(uint32_t id, std::chrono::milliseconds timeout) {
  return wait_until([id] { return !map_exists(id); }, timeout);
}

} // namespace xdpchain::test
