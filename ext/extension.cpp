#include "ext/extension.h"

#include "common/obj_info.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <linux/btf.h>

#include <cerrno>

namespace xdpchain::ext {

Result<ProgramInfo> program_info(ProgRef prog) {
  auto info = prog_info(prog);
  if (!info) return std::move(info).error();
  return ProgramInfo{info->id, info->type, info->btf_id, info->name};
}

Result<uint32_t> function_btf_id(ProgRef prog, const std::string &func_name) {
  auto info = program_info(prog);
  if (!info) return std::move(info).error();
  if (info->btf_id == 0)
    return Error(ErrorKind::invalid_argument,
                 "program '" + info->name + "' has no BTF: it cannot be extended");
  btf *program_btf = btf__load_from_kernel_by_id(info->btf_id);
  if (long err = libbpf_get_error(program_btf); err)
    return Error::from_errno("program '" + info->name + "': read BTF", static_cast<int>(err));
  int id = btf__find_by_name_kind(program_btf, func_name.c_str(), BTF_KIND_FUNC);
  bool global = id > 0 && btf_vlen(btf__type_by_id(program_btf, id)) == BTF_FUNC_GLOBAL;
  btf__free(program_btf);
  if (id <= 0)
    return Error(ErrorKind::not_found,
                 "program '" + info->name + "' has no function '" + func_name + "'");
  if (!global)
    return Error(ErrorKind::invalid_argument,
                 "program '" + info->name + "': function '" + func_name +
                     "' is static; only global functions can be replaced");
  return static_cast<uint32_t>(id);
}

Result<Extension> Extension::load(ProgramObject object, ProgRef target_prog,
                                  const std::string &func_name, bool frags) {
  auto target = program_info(target_prog);
  if (!target) return std::move(target).error().wrap("extension target");
  if (target->type == BPF_PROG_TYPE_EXT)
    return Error(ErrorKind::invalid_argument,
                 "target program '" + target->name + "' (id " + std::to_string(target->id) +
                     ") is itself an extension (BPF_PROG_TYPE_EXT): the kernel allows only one "
                     "level of replacement")
        .wrap("program '" + object.program_name() + "'");
  auto func = function_btf_id(target_prog, func_name);
  if (!func) return std::move(func).error().wrap("program '" + object.program_name() + "'");
  XDPC_TRY(object.load_as_extension(target_prog, func_name, frags));

  Extension ext;
  ext.target_fd_ = ProgFd(fcntl(target_prog.get(), F_DUPFD_CLOEXEC, 0));
  if (!ext.target_fd_) return Error::from_errno("dup target fd", errno);
  ext.target_func_ = func_name;
  ext.object_ = std::move(object);
  return ext;
}

Result<Extension> Extension::from_fd(ProgFd prog_fd) {
  auto info = program_info(prog_fd);
  if (!info) return std::move(info).error();
  if (info->type != BPF_PROG_TYPE_EXT)
    return Error(ErrorKind::invalid_argument,
                 "program '" + info->name + "' is not an extension (BPF_PROG_TYPE_EXT)");
  Extension ext;
  ext.prog_fd_ = std::move(prog_fd);
  return ext;
}

ProgRef Extension::fd() const {
  return object_ ? object_->prog_fd() : prog_fd_.ref();
}

uint32_t Extension::id() const {
  auto info = program_info(fd());
  return info ? info->id : 0;
}

Result<LinkId> Extension::attach() {
  if (!target_fd_) return Error(ErrorKind::invalid_argument, "extension: no load-time target");
  return attach_to(target_fd_, target_func_);
}

Result<LinkId> Extension::attach_to(ProgRef target, const std::string &func_name) {
  auto btf_id = function_btf_id(target, func_name);
  if (!btf_id) return std::move(btf_id).error();
  LIBBPF_OPTS(bpf_link_create_opts, opts, .target_btf_id = *btf_id);
  int link_fd = bpf_link_create(fd().get(), target.get(), static_cast<bpf_attach_type>(0), &opts);
  if (link_fd < 0)
    return Error::from_errno("attach extension to function '" + func_name + "'", errno);
  Link link{LinkFd(link_fd)};
  LinkId id = link.id();
  // Without its id the link could not be found again (and two would share id 0): undo it.
  if (id == 0)
    return Error::from_errno("read the id of the link to function '" + func_name + "'", errno);
  if (!links_.emplace(id, std::move(link)).second)
    return Error(ErrorKind::kernel, "extension: link id " + std::to_string(id) + " seen twice");
  return id;
}

Status Extension::detach(LinkId link) {
  auto it = links_.find(link);
  if (it == links_.end())
    return Error(ErrorKind::not_found, "extension: no owned link " + std::to_string(link));
  Status status = it->second.detach();
  links_.erase(it);
  return status;
}

Result<Link> Extension::take_link(LinkId link) {
  auto it = links_.find(link);
  if (it == links_.end())
    return Error(ErrorKind::not_found, "extension: no owned link " + std::to_string(link));
  Link taken = std::move(it->second);
  links_.erase(it);
  return taken;
}

void Extension::unload() {
  links_.clear(); // each owned Link detaches as it is destroyed
  object_.reset();
  prog_fd_.reset();
  target_fd_.reset();
}

} // namespace xdpchain::ext
