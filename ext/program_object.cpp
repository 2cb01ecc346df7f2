#include "ext/program_object.h"

#include "common/libbpf_log.h"
#include "common/untrusted_file.h"
#include "ext/elf_check.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string_view>

namespace xdpchain::ext {

namespace {

// The frame of a load error: the object and the function in it. The chain adds the member's
// label ("program 'LABEL'") around it, so it does not say "program" again.
std::string load_frame(const std::string &path, const std::string &function) {
  return "object '" + path + "', function '" + function + "'";
}

bool starts_with(const char *text, const char *prefix) {
  return text && std::strncmp(text, prefix, std::strlen(prefix)) == 0;
}

// libbpf 1.1 knows "xdp", "xdp.frags", "xdp/devmap" and "xdp/cpumap", not "xdp/NAME" or
// "freplace/NAME" for our purposes: XDP-looking sections become XDP programs here.
bool is_xdp_section(const char *sec) {
  return std::strcmp(sec, "xdp") == 0 || std::strcmp(sec, "xdp.frags") == 0 ||
         starts_with(sec, "xdp/") || starts_with(sec, "xdp.frags/") ||
         starts_with(sec, "freplace/");
}

// A program the kernel runs from a map entry (BPF_XDP_CPUMAP, BPF_XDP_DEVMAP) and never
// attaches to a device: what it is, for the refusal; nullptr for any other section.
const char *map_program_kind(const char *sec) {
  for (const char *prefix : {"xdp/", "xdp.frags/"}) {
    if (!starts_with(sec, prefix)) continue;
    const char *rest = sec + std::strlen(prefix);
    if (std::strcmp(rest, "cpumap") == 0) return "a CPU map (cpumap) program";
    if (std::strcmp(rest, "devmap") == 0) return "a device map (devmap) program";
  }
  return nullptr;
}

Error map_program_refused(bpf_program *prog) {
  const char *sec = bpf_program__section_name(prog);
  return Error(ErrorKind::invalid_argument,
               std::string("program '") + bpf_program__name(prog) + "' is in section '" + sec +
                   "': " + map_program_kind(sec) +
                   ", which the kernel runs from a map entry and never attaches to an "
                   "interface, so it cannot be a chain member");
}

bool is_frags_section(const char *sec) {
  return std::strcmp(sec, "xdp.frags") == 0 || starts_with(sec, "xdp.frags/");
}

// The object's XDP program names for a hint: at most kNamesShown, then how many more.
std::string xdp_program_names(bpf_object *obj) {
  constexpr int kNamesShown = 20;
  std::string names;
  int count = 0;
  bpf_program *prog;
  bpf_object__for_each_program(prog, obj) {
    if (!is_xdp_section(bpf_program__section_name(prog))) continue;
    if (++count > kNamesShown) continue;
    if (!names.empty()) names += ", ";
    names += bpf_program__name(prog);
  }
  if (count > kNamesShown) names += " and " + std::to_string(count - kNamesShown) + " more";
  return names.empty() ? "none" : names;
}

Result<bpf_program *> choose_program(bpf_object *obj, const std::string &name) {
  if (!name.empty()) {
    bpf_program *prog = bpf_object__find_program_by_name(obj, name.c_str());
    if (!prog)
      return Error(ErrorKind::not_found, "no program '" + name + "' in the object")
          .hint("programs in it: " + xdp_program_names(obj));
    if (!is_xdp_section(bpf_program__section_name(prog)))
      return Error(ErrorKind::invalid_argument,
                   "program '" + name + "' is in section '" + bpf_program__section_name(prog) +
                       "', not an XDP section (xdp, xdp.frags, xdp/NAME, freplace/NAME)");
    if (map_program_kind(bpf_program__section_name(prog))) return map_program_refused(prog);
    return prog;
  }
  // Map programs (xdp/cpumap, xdp/devmap) beside a device program are its helpers, not
  // candidates.
  bpf_program *found = nullptr;
  bpf_program *map_program = nullptr;
  bpf_program *prog;
  int count = 0;
  bpf_object__for_each_program(prog, obj) {
    const char *sec = bpf_program__section_name(prog);
    if (!is_xdp_section(sec)) continue;
    if (map_program_kind(sec)) {
      map_program = prog;
      continue;
    }
    found = prog;
    ++count;
  }
  if (count == 0 && map_program) return map_program_refused(map_program);
  if (count == 0) return Error(ErrorKind::invalid_argument, "the object holds no XDP program");
  if (count > 1)
    return Error(ErrorKind::invalid_argument, "the object holds several XDP programs")
        .hint("choose one with --program NAME: " + xdp_program_names(obj));
  return found;
}

} // namespace

namespace {

uint64_t hash_bytes(std::string_view bytes) {
  uint64_t hash = 1469598103934665603ull;
  for (char byte : bytes) {
    hash ^= static_cast<unsigned char>(byte);
    hash *= 1099511628211ull;
  }
  return hash;
}

// Objects read and checked before the interface lock is taken (preload_object), so that
// open() under the lock works on the same bytes without reading user input again. An entry
// is used only while the file's identity (device, inode, size, mtime) is unchanged.
struct CheckedObject {
  dev_t dev;
  ino_t ino;
  off_t size;
  timespec mtime;
  std::shared_ptr<const std::string> bytes;
};

std::mutex checked_mutex;
std::map<std::string, CheckedObject> &checked_objects() {
  static std::map<std::string, CheckedObject> objects;
  return objects;
}

// Takes the preloaded entry for `path` (used once: a later open reads the file again).
std::shared_ptr<const std::string> take_checked(const std::string &path) {
  struct stat st;
  bool have_stat = stat(path.c_str(), &st) == 0;
  std::lock_guard guard(checked_mutex);
  auto it = checked_objects().find(path);
  if (it == checked_objects().end()) return nullptr;
  const CheckedObject c = std::move(it->second);
  checked_objects().erase(it);
  if (!have_stat || c.dev != st.st_dev || c.ino != st.st_ino || c.size != st.st_size ||
      c.mtime.tv_sec != st.st_mtim.tv_sec || c.mtime.tv_nsec != st.st_mtim.tv_nsec)
    return nullptr;
  return c.bytes;
}

// Reads the object once (bounded, regular files only) and checks it: our structural
// pre-check, then libbpf's parse in a child process.
Result<std::shared_ptr<const std::string>> read_checked(const std::string &path) {
  struct stat before;
  bool have_stat = stat(path.c_str(), &before) == 0;
  auto bytes = read_untrusted_file(path, kMaxObjectBytes, "object");
  if (!bytes) return std::move(bytes).error();
  XDPC_TRY(check_elf_structure(*bytes, path));
  XDPC_TRY(parse_in_child(*bytes, path));
  auto shared = std::make_shared<const std::string>(std::move(*bytes));
  if (have_stat && S_ISREG(before.st_mode)) {
    std::lock_guard guard(checked_mutex);
    checked_objects()[path] = {before.st_dev, before.st_ino, before.st_size, before.st_mtim,
                               shared};
  }
  return shared;
}

// libbpf names an object (and the prefix of its .data/.rodata/.bss maps) after the file's
// base name up to the first '.', as bpf_object__open_file does.
std::string object_name(const std::string &path) {
  std::string base = path.substr(path.rfind('/') + 1);
  return base.substr(0, base.find('.'));
}

} // namespace

Result<uint64_t> hash_file(const std::string &path) {
  auto bytes = read_untrusted_file(path, kMaxObjectBytes, "object");
  if (!bytes) return std::move(bytes).error();
  return hash_bytes(*bytes);
}

Status preload_object(const std::string &path) {
  auto checked = read_checked(path);
  if (!checked) return std::move(checked).error();
  return {};
}

Result<ProgramObject> ProgramObject::open(const std::string &path,
                                          const ObjectOpenOptions &options) {
  Result<std::shared_ptr<const std::string>> bytes = take_checked(path);
  if (!*bytes) bytes = read_checked(path);
  if (!bytes) return std::move(bytes).error();
  return open_checked(std::move(*bytes), path, object_name(path), options);
}

Result<ProgramObject> ProgramObject::open_bytes(std::string bytes, const std::string &name,
                                                const ObjectOpenOptions &options) {
  if (bytes.size() > kMaxObjectBytes)
    return Error(ErrorKind::invalid_argument,
                 "object '" + name + "': " + std::to_string(bytes.size()) +
                     " bytes, more than the limit of " + std::to_string(kMaxObjectBytes));
  XDPC_TRY(check_elf_structure(bytes, name));
  XDPC_TRY(parse_in_child(bytes, name));
  return open_checked(std::make_shared<const std::string>(std::move(bytes)), name, "mem", options);
}

Result<ProgramObject> ProgramObject::open_checked(std::shared_ptr<const std::string> bytes,
                                                  const std::string &path,
                                                  const std::string &libbpf_name,
                                                  const ObjectOpenOptions &options) {
  LibbpfLogCapture capture;
  LIBBPF_OPTS(bpf_object_open_opts, open_opts, .object_name = libbpf_name.c_str(),
              .pin_root_path = options.pin_root.empty() ? nullptr : options.pin_root.c_str());
  bpf_object *obj = bpf_object__open_mem(bytes->data(), bytes->size(), &open_opts);
  if (long err = libbpf_get_error(obj); err) {
    char reason[128];
    libbpf_strerror(static_cast<int>(err), reason, sizeof reason);
    Error error(ErrorKind::invalid_argument, std::string("cannot open as a BPF object: ") + reason);
    return error.wrap("object '" + path + "'").with_verifier_log(capture.text());
  }
  ProgramObject object;
  object.obj_ = obj;
  object.path_ = path;
  object.content_hash_ = hash_bytes(*bytes);
  object.bytes_ = std::move(bytes);

  auto chosen = choose_program(obj, options.program);
  if (!chosen) return std::move(chosen).error().wrap("object '" + path + "'");
  object.prog_ = *chosen;
  object.program_name_ = bpf_program__name(object.prog_);
  const char *sec = bpf_program__section_name(object.prog_);
  object.frags_ = is_frags_section(sec);
  object.declared_extension_ = starts_with(sec, "freplace/");

  for (const auto &pin : options.map_pins) {
    bpf_map *map = bpf_object__find_map_by_name(obj, pin.map.c_str());
    if (!map)
      return Error(ErrorKind::not_found, "no map '" + pin.map + "' to pin")
          .wrap("object '" + path + "'");
    if (int err = bpf_map__set_pin_path(map, pin.path.c_str()); err)
      return Error::from_errno("map '" + pin.map + "': pin path '" + pin.path + "'", err)
          .wrap("object '" + path + "'");
  }

  // Sections libbpf does not know become XDP programs, so the whole object loads.
  bpf_program *prog;
  bpf_object__for_each_program(prog, obj) {
    const char *name = bpf_program__section_name(prog);
    if (is_xdp_section(name) && bpf_program__type(prog) != BPF_PROG_TYPE_XDP) {
      bpf_program__set_type(prog, BPF_PROG_TYPE_XDP);
      bpf_program__set_expected_attach_type(prog, BPF_XDP);
    }
  }
  object.run_config_ = read_run_config(obj, object.program_name_);
  return object;
}

ProgramObject::ProgramObject(ProgramObject &&other) noexcept {
  *this = std::move(other);
}

ProgramObject &ProgramObject::operator=(ProgramObject &&other) noexcept {
  if (this == &other) return *this;
  if (obj_) bpf_object__close(obj_);
  path_ = std::move(other.path_);
  program_name_ = std::move(other.program_name_);
  content_hash_ = other.content_hash_;
  bytes_ = std::move(other.bytes_);
  frags_ = other.frags_;
  declared_extension_ = other.declared_extension_;
  run_config_ = other.run_config_;
  obj_ = std::exchange(other.obj_, nullptr);
  prog_ = std::exchange(other.prog_, nullptr);
  return *this;
}

ProgramObject::~ProgramObject() {
  if (obj_) bpf_object__close(obj_);
}

Status ProgramObject::load(const char *what) {
  LibbpfLogCapture capture;
  int err = bpf_object__load(obj_);
  if (err) {
    std::string log = capture.verifier_log();
    const int code = err < 0 ? -err : err;
    Error error = Error::from_errno(std::string(what) + " refused", err);
    // What the object itself gets wrong is bad input (exit 2): the verifier refusing the
    // program (whatever errno it chose), libbpf finding the object malformed (its own error
    // codes: relocations, sections, BTF), the kernel refusing a map, BTF or program attribute
    // the object defines (EINVAL), or a program too large (E2BIG). Other failures (missing
    // privileges, memory) keep their errno's kind.
    const bool libbpf_code = code >= LIBBPF_ERRNO__LIBELF && code < __LIBBPF_ERRNO__END;
    if (!log.empty()) {
      error =
          Error(ErrorKind::invalid_argument, std::string(what) + " refused by the verifier", code);
    } else if (libbpf_code) {
      char reason[128];
      libbpf_strerror(code, reason, sizeof reason);
      error = Error(ErrorKind::invalid_argument,
                    std::string(what) + " refused: the object is malformed: " + reason);
    } else if (code == EINVAL || code == E2BIG) {
      error =
          Error(ErrorKind::invalid_argument,
                std::string(what) + " refused: the kernel rejects what the object defines", code);
    }
    if (log.empty()) log = capture.text();
    return error.with_verifier_log(log).wrap(load_frame(path_, program_name_));
  }
  return {};
}

Status ProgramObject::load_as_extension(ProgRef target, const std::string &func_name, bool frags) {
  bpf_program__set_type(prog_, BPF_PROG_TYPE_EXT);
  bpf_program__set_expected_attach_type(prog_, static_cast<bpf_attach_type>(0));
  uint32_t flags = bpf_program__flags(prog_) & ~BPF_F_XDP_HAS_FRAGS;
  bpf_program__set_flags(prog_, flags | (frags ? BPF_F_XDP_HAS_FRAGS : 0));
  if (int err = bpf_program__set_attach_target(prog_, target.get(), func_name.c_str()); err)
    return Error::from_errno("cannot target function '" + func_name + "'", err)
        .wrap(load_frame(path_, program_name_));
  return load("load as extension (BPF_PROG_TYPE_EXT)");
}

Status ProgramObject::load_as_xdp(bool frags) {
  bpf_program__set_type(prog_, BPF_PROG_TYPE_XDP);
  bpf_program__set_expected_attach_type(prog_, BPF_XDP);
  uint32_t flags = bpf_program__flags(prog_) & ~BPF_F_XDP_HAS_FRAGS;
  bpf_program__set_flags(prog_, flags | (frags ? BPF_F_XDP_HAS_FRAGS : 0));
  return load("load as XDP program");
}

ProgRef ProgramObject::prog_fd() const {
  return ProgRef(bpf_program__fd(prog_));
}

std::vector<bpf_insn> ProgramObject::final_insns() const {
  const bpf_insn *insns = bpf_program__insns(prog_);
  return std::vector<bpf_insn>(insns, insns + bpf_program__insn_cnt(prog_));
}

RunConfig read_run_config(bpf_object *obj, const std::string &prog_name) {
  RunConfig config;
  const btf *object_btf = bpf_object__btf(obj);
  if (!object_btf || btf__find_by_name(object_btf, ".xdp_run_config") < 0) return config;
  DECLARE_LIBXDP_OPTS(xdp_program_opts, opts, .obj = obj, .prog_name = prog_name.c_str());
  xdp_program *xdp = xdp_program__create(&opts);
  if (libxdp_get_error(xdp)) return config;
  config.priority = static_cast<int>(xdp_program__run_prio(xdp));
  uint32_t mask = 0;
  for (int action = XDP_ABORTED; action <= XDP_REDIRECT; ++action)
    if (xdp_program__chain_call_enabled(xdp, static_cast<xdp_action>(action))) mask |= 1u << action;
  config.proceed_on = mask;
  xdp_program__close(xdp);
  return config;
}

} // namespace xdpchain::ext
