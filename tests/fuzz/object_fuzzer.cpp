// libFuzzer target for opening untrusted BPF ELF objects the way `xdpchain add` does:
// ProgramObject::open() reads the file (bounded, regular files only), runs our structural
// pre-check (ext/elf_check.h), lets libbpf parse the bytes in a child process first, and only
// then opens them with libbpf in this process, chooses the program and reads its
// XDP_RUN_CONFIG. Nothing is loaded into the kernel. Built by tests/fuzz/run.sh.
#include "ext/elf_check.h"
#include "ext/program_object.h"

#include <bpf/libbpf.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string>
#include <string_view>

namespace {

const std::string &scratch_path() {
  static const std::string path = "/tmp/xdpchain-object-fuzz-" + std::to_string(getpid()) + ".o";
  return path;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  libbpf_set_print(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 256 * 1024) return 0;
  std::string_view bytes(reinterpret_cast<const char *>(data), size);
  // The pre-check alone, in this process, so its coverage guides the fuzzer.
  if (!xdpchain::ext::check_elf_structure(bytes, "fuzz.o")) return 0;
  {
    std::ofstream out(scratch_path(), std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  for (const char *program : {"", "xdp_count", "tail_main"}) {
    auto object = xdpchain::ext::ProgramObject::open(scratch_path(), {.program = program});
    if (!object) {
      (void)object.error().str();
      continue;
    }
    (void)object->program_name().size();
    (void)object->run_config().priority;
  }
  return 0;
}
