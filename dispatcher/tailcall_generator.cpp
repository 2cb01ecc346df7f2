#include "dispatcher/tailcall_generator.h"

#include "common/btf_builder.h"
#include "common/insn_builder.h"
#include "dispatcher/bpf_functions.h"
#include "dispatcher/slot_code.h"

#include <iterator>
#include <set>

namespace xdpchain::dispatcher {

using namespace bpf;

namespace {

// r1 = ctx; tail-calls prog_array[index]. Falls through when the slot is empty.
void emit_tail_call(InsnBuilder &b, Reg ctx, MapRef prog_array, uint32_t index) {
  b.mov64_reg(R1, ctx);
  b.ld_map_fd(R2, prog_array);
  b.mov64_imm(R3, static_cast<int32_t>(index));
  b.call_helper(BPF_FUNC_tail_call);
}

// BTF with one func_info record per function of the entry program. The kernel refuses a tail
// call made from a subprogram (the member's code runs as one) unless the program has it.
// The member's main function (the entry's only callee, so the first function after the
// entry's own) is global: the verifier checks it once, with the context as its argument,
// and treats what it returns as unknown. As a static function it would be checked in the
// entry's context, and the 6.1 and 6.12 verifiers then take a member that tail-calls and
// falls back to `return XDP_PASS` as always returning XDP_PASS: they turn the entry's
// continue check into a jump to the next member, so the verdict of the member's tail call
// was counted but ignored. The member's own functions stay static, checked in their
// caller's context as without BTF, so they keep their meaning.
Status add_func_info(ProgramImage &image) {
  BtfBuilder btf;
  TypeId proto = btf.xdp_func_proto();
  const std::set<uint32_t> starts = function_starts(image.insns);
  const uint32_t member_main = starts.size() > 1 ? *std::next(starts.begin()) : 0;
  for (uint32_t start : starts) {
    const bool main = start == 0;
    const bool global = main || start == member_main;
    image.func_info.push_back(
        {start, btf.func(main ? image.name : image.name + "_f" + std::to_string(start), proto,
                         global ? Linkage::global : Linkage::static_)});
  }
  auto bytes = btf.encode();
  if (!bytes) return std::move(bytes).error().wrap("BTF of " + image.name);
  image.btf = std::move(*bytes);
  return {};
}

} // namespace

Result<ProgramImage> generate_tailcall_root(const TailcallRootSpec &spec) {
  InsnBuilder b;
  emit_tail_call(b, R1, spec.prog_array, 0);
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
  emit_prologue(b, spec.counters_map);
  emit_count_entry(b, spec.slot.counter_index);
  b.mov64_reg(R1, R6);
  b.call_local(member);
  emit_count_verdict(b, spec.slot.counter_index);
  if (emit_continue_check(b, spec.slot.proceed_on, next)) {
    b.bind(next);
    if (!spec.last) emit_tail_call(b, R6, spec.prog_array, spec.position + 1);
    emit_return_pass(b);
  }
  b.bind(member);
  b.raw(spec.member_insns);

  auto insns = b.assemble();
  if (!insns) return std::move(insns).error().wrap("tail-call entry");
  ProgramImage image;
  image.name = "xdpc_entry" + std::to_string(spec.position);
  image.insns = std::move(*insns);
  image.frags = spec.frags;
  XDPC_TRY(add_func_info(image));
  return image;
}

} // namespace xdpchain::dispatcher
