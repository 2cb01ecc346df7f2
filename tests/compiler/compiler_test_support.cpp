#include "compiler_test_support.h"

#include "compiler/compile.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <cstdarg>
#include <cstring>

namespace xdpchain::compiler::testing {

std::vector<uint8_t> compile_ok(const std::string &source, const std::string &name) {
  auto elf = compile_source(source, name);
  EXPECT_TRUE(elf.has_value()) << (elf ? "" : elf.error().str());
  return elf ? *elf : std::vector<uint8_t>{};
}

std::string compile_error(const std::string &source, const std::string &name) {
  auto elf = compile_source(source, name);
  if (elf) return "";
  EXPECT_EQ(elf.error().kind(), ErrorKind::invalid_argument);
  return elf.error().message();
}

namespace {
thread_local std::string *g_log = nullptr;
int capture(enum libbpf_print_level level, const char *format, va_list args) {
  if (!g_log || level == LIBBPF_DEBUG) return 0;
  // libbpf prints the whole verifier log in one call: no fixed buffer that cuts it.
  va_list copy;
  va_copy(copy, args);
  int n = vsnprintf(nullptr, 0, format, copy);
  va_end(copy);
  if (n <= 0) return n;
  std::string buf(static_cast<size_t>(n) + 1, '\0');
  vsnprintf(buf.data(), buf.size(), format, args);
  buf.resize(static_cast<size_t>(n));
  g_log->append(buf);
  return n;
}
} // namespace

Result<LoadedObject> LoadedObject::load(const std::vector<uint8_t> &elf, bool load_into_kernel) {
  std::string log;
  g_log = &log;
  libbpf_print_fn_t old = libbpf_set_print(capture);
  LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = "test");
  bpf_object *obj = bpf_object__open_mem(elf.data(), elf.size(), &opts);
  if (!obj) {
    int err = errno;
    libbpf_set_print(old);
    g_log = nullptr;
    return Error::from_errno("bpf_object__open_mem", err).with_verifier_log(log);
  }
  LoadedObject out(obj);
  bpf_program *prog;
  bpf_object__for_each_program(prog, obj) {
    std::string sec = bpf_program__section_name(prog);
    if (sec.rfind("xdp/", 0) == 0) {
      bpf_program__set_type(prog, BPF_PROG_TYPE_XDP);
      bpf_program__set_expected_attach_type(prog, BPF_XDP);
    }
  }
  if (load_into_kernel) {
    int err = bpf_object__load(obj);
    if (err) {
      libbpf_set_print(old);
      g_log = nullptr;
      return Error::from_errno("bpf_object__load", err).with_verifier_log(log);
    }
  }
  libbpf_set_print(old);
  g_log = nullptr;
  out.log = std::move(log);
  return out;
}

LoadedObject::~LoadedObject() {
  if (obj_) bpf_object__close(obj_);
}

int LoadedObject::prog_fd(const std::string &name) const {
  bpf_program *prog = bpf_object__find_program_by_name(obj_, name.c_str());
  return prog ? bpf_program__fd(prog) : -1;
}

int LoadedObject::map_fd(const std::string &name) const {
  bpf_map *map = bpf_object__find_map_by_name(obj_, name.c_str());
  return map ? bpf_map__fd(map) : -1;
}

RunResult test_run(int prog_fd, const std::vector<uint8_t> &packet) {
  RunResult r;
  r.data.resize(packet.size() + 256);
  LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = packet.data(), .data_out = r.data.data(),
              .data_size_in = static_cast<uint32_t>(packet.size()),
              .data_size_out = static_cast<uint32_t>(r.data.size()), .repeat = 1);
  r.err = bpf_prog_test_run_opts(prog_fd, &opts);
  r.retval = opts.retval;
  r.data.resize(opts.data_size_out);
  return r;
}

std::vector<uint8_t> make_packet(const PacketSpec &spec) {
  std::vector<uint8_t> p(14, 0);
  for (int i = 0; i < 6; ++i)
    p[i] = 0x02, p[6 + i] = 0x04;
  p[12] = spec.ethertype >> 8;
  p[13] = spec.ethertype & 0xff;
  if (spec.ethertype != 0x0800) {
    p.resize(p.size() + 46, 0);
    return p;
  }
  size_t l4 = spec.protocol == 6 ? 20 : 8;
  uint16_t total = static_cast<uint16_t>(20 + l4 + spec.payload);
  uint8_t ip[20] = {0x45,
                    0,
                    static_cast<uint8_t>(total >> 8),
                    static_cast<uint8_t>(total),
                    0,
                    1,
                    0x40,
                    0,
                    64,
                    spec.protocol,
                    0,
                    0};
  uint32_t s = htonl(spec.src_ip), d = htonl(spec.dst_ip);
  std::memcpy(ip + 12, &s, 4);
  std::memcpy(ip + 16, &d, 4);
  p.insert(p.end(), ip, ip + 20);
  std::vector<uint8_t> l4h(l4, 0);
  l4h[0] = spec.src_port >> 8;
  l4h[1] = spec.src_port & 0xff;
  l4h[2] = spec.dst_port >> 8;
  l4h[3] = spec.dst_port & 0xff;
  if (spec.protocol == 6) {
    l4h[12] = 5 << 4;
    l4h[13] = spec.tcp_flags;
  } else {
    l4h[4] = static_cast<uint8_t>((8 + spec.payload) >> 8);
    l4h[5] = static_cast<uint8_t>(8 + spec.payload);
  }
  p.insert(p.end(), l4h.begin(), l4h.end());
  p.resize(p.size() + spec.payload, 0xab);
  return p;
}

uint64_t map_u64(int map_fd, uint32_t key) {
  uint64_t value = 0;
  if (bpf_map_lookup_elem(map_fd, &key, &value) != 0) return ~0ull;
  return value;
}

bool map_has(int map_fd, const void *key) {
  uint8_t value[4096];
  return bpf_map_lookup_elem(map_fd, key, value) == 0;
}

} // namespace xdpchain::compiler::testing
