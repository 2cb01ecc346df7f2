#include "dispatcher/freplace_generator.h"

#include "common/btf_builder.h"
#include "common/insn_builder.h"
#include "dispatcher/slot_code.h"

namespace xdpchain::dispatcher {

using namespace bpf;

std::string slot_function_name(size_t slot) {
  return "slot" + std::to_string(slot);
}

namespace {

// A stub must stay a real call the verifier cannot fold, and must be marked as possibly
// changing packet data (kernel 6.13+ checks this for extensions that adjust the packet):
// a no-op bpf_xdp_adjust_tail(ctx, 0) does both.
void emit_stub(InsnBuilder &b) {
  b.mov64_imm(R2, 0);
  b.call_helper(BPF_FUNC_xdp_adjust_tail);
  b.mov64_imm(R0, XDP_PASS);
  b.exit_insn();
}

} // namespace

Result<ProgramImage> generate_freplace_dispatcher(const DispatcherSpec &spec) {
  if (spec.slots.empty())
    return Error(ErrorKind::invalid_argument, "dispatcher: a chain needs at least one slot");
  InsnBuilder b;
  std::vector<Label> stubs;
  for (size_t i = 0; i < spec.slots.size(); ++i)
    stubs.push_back(b.new_label());

  emit_prologue(b, spec.counters_map);
  // After a slot with an empty continue set nothing runs and the verifier refuses code
  // nothing reaches. Only the last slot may have one: the planner refuses it anywhere else
  // (check_members_after_final), since every slot's stub must be called.
  bool runs_off_end = true;
  for (size_t i = 0; i < spec.slots.size() && runs_off_end; ++i) {
    const SlotSpec &slot = spec.slots[i];
    Label next = b.new_label();
    emit_count_entry(b, slot.counter_index);
    b.mov64_reg(R1, R6);
    b.call_local(stubs[i]);
    emit_count_verdict(b, slot.counter_index);
    runs_off_end = emit_continue_check(b, slot.proceed_on, next);
    if (runs_off_end) b.bind(next);
  }
  if (runs_off_end) emit_return_pass(b);
  for (Label stub : stubs) {
    b.bind(stub);
    emit_stub(b);
  }

  auto insns = b.assemble();
  if (!insns) return std::move(insns).error().wrap("dispatcher");

  BtfBuilder btf;
  TypeId proto = btf.xdp_func_proto();
  ProgramImage image;
  image.name = "xdpc_dispatch";
  image.frags = spec.frags;
  image.insns = std::move(*insns);
  image.func_info.push_back({0, btf.func(kDispatcherMainName, proto, Linkage::global)});
  for (size_t i = 0; i < stubs.size(); ++i) {
    auto pos = b.label_pos(stubs[i]);
    image.func_info.push_back(
        {static_cast<uint32_t>(*pos), btf.func(slot_function_name(i), proto, Linkage::global)});
  }
  auto bytes = btf.encode();
  if (!bytes) return std::move(bytes).error().wrap("dispatcher BTF");
  image.btf = std::move(*bytes);
  return image;
}

} // namespace xdpchain::dispatcher
