// Test helpers: compile source text, open and load the object with libbpf, craft
// packets, and run programs with BPF_PROG_TEST_RUN.
#pragma once

#include "common/result.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace xdpchain::compiler::testing {

// Compiles `source`; fails the calling test with the diagnostics when it does not compile.
std::vector<uint8_t> compile_ok(const std::string &source, const std::string &name = "test.lisp");
// The formatted diagnostics of a source that must not compile ("" if it compiled).
std::string compile_error(const std::string &source, const std::string &name = "test.lisp");

// An object opened and loaded by libbpf. Programs in sections libbpf 1.1 does not know
// (xdp/NAME) get their type from the section prefix.
class LoadedObject {
public:
  static Result<LoadedObject> load(const std::vector<uint8_t> &elf, bool load_into_kernel = true);
  LoadedObject(LoadedObject &&other) noexcept
      : log(std::move(other.log)), obj_(std::exchange(other.obj_, nullptr)) {}
  ~LoadedObject();
  bpf_object *get() const { return obj_; }
  int prog_fd(const std::string &name) const;
  int map_fd(const std::string &name) const;
  // What libbpf printed (warnings and errors) while opening and loading: the verifier log
  // of a failed load, or e.g. a BTF retry of a successful one.
  std::string log;

private:
  explicit LoadedObject(bpf_object *obj) : obj_(obj) {}
  bpf_object *obj_ = nullptr;
};

struct RunResult {
  uint32_t retval = 0;
  std::vector<uint8_t> data;
  int err = 0;
};
RunResult test_run(int prog_fd, const std::vector<uint8_t> &packet);

// Packet builders (Ethernet + IPv4 + TCP/UDP/ICMP), with sane defaults.
struct PacketSpec {
  uint16_t ethertype = 0x0800;
  uint8_t protocol = 6;
  uint32_t src_ip = 0x0a000001; // host order
  uint32_t dst_ip = 0x0a000002;
  uint16_t src_port = 12345;
  uint16_t dst_port = 80;
  uint8_t tcp_flags = 0x10;
  size_t payload = 16;
};
std::vector<uint8_t> make_packet(const PacketSpec &spec);

// Map access by key and value of up to 8 bytes.
uint64_t map_u64(int map_fd, uint32_t key);
bool map_has(int map_fd, const void *key);

} // namespace xdpchain::compiler::testing
