// A BPF ELF object opened with libbpf, with one XDP program chosen from it: the unit a
// user hands to `xdpchain add`. Reads libxdp's XDP_RUN_CONFIG metadata, then loads the
// object either for the freplace backend (chosen program as BPF_PROG_TYPE_EXT against a
// dispatcher stub) or for the tail-call backend (as a plain XDP program).
#pragma once

#include "common/fd.h"
#include "common/result.h"

#include <linux/bpf.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

struct bpf_object;
struct bpf_program;

namespace xdpchain::ext {

struct ObjectOpenOptions {
  std::string program;  // function name; empty = the object's only XDP program
  std::string pin_root; // directory for LIBBPF_PIN_BY_NAME maps; empty = libbpf's default
  struct MapPin {
    std::string map, path;
  };
  std::vector<MapPin> map_pins;
};

// XDP_RUN_CONFIG values found in the object (unset when the object has none).
struct RunConfig {
  std::optional<int> priority;
  std::optional<uint32_t> proceed_on; // bit per XDP action
};

class ProgramObject {
public:
  // Reads the file once (see preload_object); hashes and loads those same bytes.
  static Result<ProgramObject> open(const std::string &path, const ObjectOpenOptions &options);
  // An object handed over in memory (an embedding program's MemberSpec::object_bytes): the
  // same size limit and checks as a file's bytes (read_checked). `name` stands for the path
  // in messages.
  static Result<ProgramObject> open_bytes(std::string bytes, const std::string &name,
                                          const ObjectOpenOptions &options);
  ProgramObject(ProgramObject &&) noexcept;
  ProgramObject &operator=(ProgramObject &&) noexcept;
  ~ProgramObject();

  const std::string &path() const { return path_; }
  const std::string &program_name() const { return program_name_; }
  uint64_t content_hash() const { return content_hash_; }
  bool frags() const { return frags_; }
  // True when the chosen program is itself in a freplace/ section (an extension already).
  bool declared_extension() const { return declared_extension_; }
  const RunConfig &run_config() const { return run_config_; }

  // Loads the object with the chosen program as an extension of `target`'s global
  // function `func_name`. `frags` must match the target program.
  Status load_as_extension(ProgRef target, const std::string &func_name, bool frags);
  // Loads the object with the chosen program as an XDP program.
  Status load_as_xdp(bool frags);

  // After a load: the chosen program's fd (owned by the object) and its final, relocated
  // instructions (map fds embedded, subprograms appended).
  ProgRef prog_fd() const;
  std::vector<bpf_insn> final_insns() const;
  bpf_object *object() const { return obj_; }
  bpf_program *program() const { return prog_; }

private:
  ProgramObject() = default;
  // The rest of open() once the bytes are read and checked; `libbpf_name` names the object
  // (and its .data/.rodata/.bss maps) for libbpf.
  static Result<ProgramObject> open_checked(std::shared_ptr<const std::string> bytes,
                                            const std::string &path, const std::string &libbpf_name,
                                            const ObjectOpenOptions &options);
  Status load(const char *what);

  std::string path_;
  std::shared_ptr<const std::string> bytes_; // the object file as read once and checked
  std::string program_name_;
  uint64_t content_hash_ = 0;
  bool frags_ = false;
  bool declared_extension_ = false;
  RunConfig run_config_;
  bpf_object *obj_ = nullptr;
  bpf_program *prog_ = nullptr;
};

// FNV-1a 64 of the file's bytes: tells "the object file changed" apart across applies.
Result<uint64_t> hash_file(const std::string &path);

// Reads an object file a user named once (a regular file of at most kMaxObjectBytes) and
// checks it: check_elf_structure, then libbpf's parse in a child process (ext/elf_check.h).
// A later ProgramObject::open of the unchanged file uses these bytes: call this before
// taking an interface's lock so that no user input is read while it is held. open() does
// the same reading and checks itself for a path not preloaded.
Status preload_object(const std::string &path);

// XDP_RUN_CONFIG of program `prog_name` (libxdp reads it from the object's BTF); unset fields
// when the object has none. libxdp trusts that BTF: parse_in_child (elf_check.h) runs this
// in the child first, so a corrupted one cannot crash the command.
RunConfig read_run_config(bpf_object *obj, const std::string &prog_name);

} // namespace xdpchain::ext
