#include "dispatcher/member_code.h"

#include "common/obj_info.h"

#include "dispatcher/chain_state.h"
#include "ext/extension.h"

#include <bpf/bpf.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <set>

namespace xdpchain::dispatcher {

Result<MemberCode> member_code(PlannedMember &member, const GenerationPlan &plan,
                               const char *backend) {
  MemberCode code;
  if (!member.object) {
    auto prog = open_prog_pin(slot_pin(plan.current_generation_path, member.reuse_slot, "prog"));
    if (!prog) return std::move(prog).error();
    auto insns_map =
        open_map_pin(slot_pin(plan.current_generation_path, member.reuse_slot, "insns"));
    if (!insns_map) return std::move(insns_map).error();
    auto insns = load_member_insns(*insns_map);
    if (!insns) return std::move(insns).error();
    code.program = std::move(*prog);
    code.insns_map = std::move(*insns_map);
    code.insns = std::move(*insns);
    return code;
  }
  ext::ProgramObject &object = *member.object;
  if (object.declared_extension())
    return Error(ErrorKind::not_supported, std::string("it is written as an extension (section "
                                                       "freplace/...): the ") +
                                               backend + " backend hosts XDP programs only")
        .hint("use --backend freplace on a kernel that allows it, or rebuild it in SEC(\"xdp\")");
  XDPC_TRY(object.load_as_xdp(member.record.frags));
  code.insns.insns = object.final_insns();
  XDPC_TRY(check_rehostable(code.insns.insns));
  auto stored = store_member_insns(code.insns.insns);
  if (!stored) return std::move(stored).error();
  code.insns_map = std::move(*stored);
  code.program = ProgFd(fcntl(object.prog_fd().get(), F_DUPFD_CLOEXEC, 0));
  if (!code.program) return Error::from_errno("dup program fd", errno);
  return code;
}

Status pin_member_prog_arrays(const MemberCode &code, const std::string &generation_path,
                              size_t slot) {
  std::set<int> pinned;
  for (const bpf_insn &insn : code.insns.insns) {
    if (insn.code != (BPF_LD | BPF_DW | BPF_IMM) || insn.src_reg != BPF_PSEUDO_MAP_FD) continue;
    if (pinned.count(insn.imm)) continue;
    auto info = map_info(MapRef(insn.imm));
    if (!info) return std::move(info).error();
    if (info->type != BPF_MAP_TYPE_PROG_ARRAY) continue;
    const std::string what = "tail_calls" + std::to_string(pinned.size());
    XDPC_TRY(pin_fd(insn.imm, slot_pin(generation_path, slot, what.c_str())));
    pinned.insert(insn.imm);
  }
  return {};
}

} // namespace xdpchain::dispatcher
