// Direct kernel access for tests: load a test object with libbpf, run a program on a packet
// with BPF_PROG_TEST_RUN, and ask the kernel whether programs, links and maps still exist.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

struct bpf_object;

namespace xdpchain::test {

// An object file opened and loaded with libbpf. Programs in `xdp/NAME` sections, which
// libbpf 1.1 does not know, are loaded as XDP programs.
class LoadedObject {
public:
  // Throws std::runtime_error naming the object; the message includes the verifier log
  // when the kernel refuses a program.
  explicit LoadedObject(const std::string &path);
  ~LoadedObject();
  LoadedObject(const LoadedObject &) = delete;
  LoadedObject &operator=(const LoadedObject &) = delete;

  // Fd of the program (function) named `name`; throws when there is none.
  int program_fd(const std::string &name) const;
  // The ELF section the program came from ("xdp", "xdp.frags", "xdp/handler_a", ...).
  std::string section_name(const std::string &name) const;
  // Fd of the map named `name`; throws when there is none.
  int map_fd(const std::string &name) const;
  std::vector<std::string> program_names() const;

private:
  bpf_object *object_ = nullptr;
  std::string path_;
};

// Loads `path` and returns the verifier's log when the kernel refuses it (empty when the
// object loads, which the caller then reports as the failure).
std::string verifier_log_of_refused(const std::string &path);

struct TestRunResult {
  int verdict = -1;
  std::vector<uint8_t> packet; // the packet after the program ran
};

// Runs XDP program `prog_fd` once on `packet` with BPF_PROG_TEST_RUN; throws on failure.
TestRunResult test_run(int prog_fd, const std::vector<uint8_t> &packet);

// "XDP_PASS" etc., or the number for values outside XDP_ABORTED..XDP_REDIRECT.
std::string verdict_name(int verdict);

// Whether the kernel still has the object with this id (false only on ENOENT).
bool prog_exists(uint32_t id);
bool link_exists(uint32_t id);
bool map_exists(uint32_t id);

// Polls `done` every 20 ms until it holds or `timeout` passes; says whether it held.
bool wait_until(const std::function<bool()> &done,
                std::chrono::milliseconds timeout = std::chrono::seconds(5));

// Waits up to `timeout` for the kernel to free the object, and says whether it is gone.
// Freeing is deferred: an object whose last reference was a bpffs pin, for one, goes only
// after an RCU grace period and a work item.
bool prog_gone(uint32_t id, std::chrono::milliseconds timeout = std::chrono::seconds(5));
bool link_gone(uint32_t id, std::chrono::milliseconds timeout = std::chrono::seconds(5));
bool map_gone(uint32_t id, std::chrono::milliseconds timeout = std::chrono::seconds(5));

// Ids of the maps program `prog_id` uses; throws when the program does not exist.
std::vector<uint32_t> prog_map_ids(uint32_t prog_id);
// The programs and maps the kernel keeps alive for a bpffs directory and an interface: every
// program, map and link pinned anywhere under `bpffs_dir`, plus the XDP program `attached_prog`
// (0: none), and, transitively, the maps their programs use, the programs their program
// arrays hold and the programs their links hold. Whatever a killed command leaves behind that
// the kernel does not free on its own is in here.
struct HeldObjects {
  std::set<uint32_t> programs;
  std::set<uint32_t> maps;
};
HeldObjects objects_held_by(const std::string &bpffs_dir, uint32_t attached_prog);

// The map called `name` (as the kernel shows names: at most 15 characters) among `map_ids`.
std::optional<uint32_t> find_map(const std::vector<uint32_t> &map_ids, const std::string &name);
// The u64 value at `key` in array map `map_id`; throws when it cannot be read.
uint64_t read_array_u64(uint32_t map_id, uint32_t key);

} // namespace xdpchain::test
