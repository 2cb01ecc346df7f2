// A BPF_PROG_TYPE_EXT (freplace) program and the links that wire it into target programs,
// with the lifecycle of aya's Extension: load against a target program and global function,
// attach (an owned link), attach to further targets, detach (the original function comes
// back), take a link out (the caller keeps it alive), unload (owned links detach first).
#pragma once

#include "common/fd.h"
#include "common/result.h"
#include "ext/link.h"
#include "ext/program_object.h"

#include <cstdint>
#include <map>
#include <string>

namespace xdpchain::ext {

using LinkId = uint32_t;

// Kernel facts about a loaded program.
struct ProgramInfo {
  uint32_t id = 0;
  uint32_t type = 0; // bpf_prog_type
  uint32_t btf_id = 0;
  std::string name;
};
Result<ProgramInfo> program_info(ProgRef prog);

// BTF id of global function `func_name` in the loaded program `prog`.
Result<uint32_t> function_btf_id(ProgRef prog, const std::string &func_name);

class Extension {
public:
  // Loads `object`'s chosen program as an extension of `target`'s `func_name`. Refuses
  // a target that is itself an extension (the kernel allows one level of replacement only).
  static Result<Extension> load(ProgramObject object, ProgRef target, const std::string &func_name,
                                bool frags);
  // Adopts an already loaded extension (e.g. opened from a bpffs pin).
  static Result<Extension> from_fd(ProgFd prog);

  Extension(Extension &&) noexcept = default;
  Extension &operator=(Extension &&) noexcept = default;
  ~Extension() { unload(); }

  ProgRef fd() const;
  uint32_t id() const;

  // Links to the target given at load time.
  Result<LinkId> attach();
  // Links to another program's global function with the same prototype (kernel 5.10+).
  Result<LinkId> attach_to(ProgRef target, const std::string &func_name);
  // Detaches an owned link: the target's original function runs again.
  Status detach(LinkId link);
  // Moves an owned link out; dropping it detaches, unless it is pinned first.
  Result<Link> take_link(LinkId link);
  // Detaches the owned links (not the taken ones) and releases the program.
  void unload();

private:
  Extension() = default;

  std::optional<ProgramObject> object_; // set when loaded from an object file
  ProgFd prog_fd_;                      // set when adopted from an fd
  ProgFd target_fd_;                    // load-time target (our own dup)
  std::string target_func_;
  std::map<LinkId, Link> links_;
};

} // namespace xdpchain::ext
