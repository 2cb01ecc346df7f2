#include "dispatcher/tailcall_generator.h"

#include "common/insn_builder.h"
#include "dispatcher/slot_code.h"

namespace xdpchain::dispatcher {

using namespace bpf;

namespace {

// r1 = ctx; tail-calls prog_array[index]. Falls through when the slot is empty.
void emit_tail_call(InsnBuilder &b, Reg ctx, int prog_array_fd, uint32_t index) {
  b.mov64_reg(R1, ctx);
  b.ld_map_fd(R2, prog_array_fd);
  b.mov64_imm(R3, static_cast<int32_t>(index));
  b.call_helper(BPF_FUNC_tail_call);
}

} // namespace

Result<ProgramImage> generate_tailcall_root(const TailcallRootSpec &spec) {
  InsnBuilder b;
  emit_tail_call(b, R1, spec.prog_array_fd, 0);
  emit_return_pass(b);
  auto insns = b.assemble();
  if (!insns) return std::move(insns).error().wrap("tail-call root");
  ProgramImage image;
  image.name = "xdpc_root";
  image.insns = std::move(*insns);
  image.frags = spec.frags;
  return image;
}

Result<ProgramImage> generate_tailcall_entry(const TailcallEntrySpec &spec) {
  if (spec.member_insns.empty())
    return Error(ErrorKind::invalid_argument, "tail-call entry: member has no instructions");
  InsnBuilder b;
  Label member = b.new_label();
  Label next = b.new_label();
  emit_prologue(b, spec.counters_map_fd);
  emit_count_entry(b, spec.slot.counter_index);
  b.mov64_reg(R1, R6);
  b.call_local(member);
  emit_count_verdict(b, spec.slot.counter_index);
  emit_continue_check(b, spec.slot.proceed_on, next);
  b.bind(next);
  if (!spec.last) emit_tail_call(b, R6, spec.prog_array_fd, spec.position + 1);
  emit_return_pass(b);
  b.bind(member);
  b.raw(spec.member_insns);

  auto insns = b.assemble();
  if (!insns) return std::move(insns).error().wrap("tail-call entry");
  ProgramImage image;
  image.name = "xdpc_entry" + std::to_string(spec.position);
  image.insns = std::move(*insns);
  image.frags = spec.frags;
  return image;
}

} // namespace xdpchain::dispatcher
