#include "dispatcher/fused_generator.h"

#include "common/insn_builder.h"
#include "dispatcher/inline_member.h"

#include <regex>
#include <sstream>

namespace xdpchain::dispatcher {

using namespace bpf;

namespace {

constexpr int16_t kCtxSlot = -8;
constexpr int16_t kCountersSlot = -16;

int16_t block_offset(uint32_t counter_index) {
  return static_cast<int16_t>(counter_index * kCounterBlockBytes);
}

// Saves ctx, looks up this CPU's counters and keeps the pointer in its slot. The lookup in
// a per-CPU array at key 0 cannot fail; if it ever did, the packet passes untouched.
void emit_fused_prologue(InsnBuilder &b, MapRef counters_map) {
  b.stx(BPF_DW, R10, kCtxSlot, R1);
  if (!counters_map) return;
  Label found = b.new_label();
  b.st_imm(BPF_DW, R10, kCountersSlot, 0);
  b.mov64_reg(R2, R10);
  b.alu64_imm(BPF_ADD, R2, kCountersSlot);
  b.ld_map_fd(R1, counters_map);
  b.call_helper(BPF_FUNC_map_lookup_elem);
  b.jmp_imm(BPF_JNE, R0, 0, found);
  b.mov64_imm(R0, XDP_PASS);
  b.exit_insn();
  b.bind(found);
  b.stx(BPF_DW, R10, kCountersSlot, R0);
}

void emit_add(InsnBuilder &b, Reg base, int16_t off, int32_t value) {
  b.ldx(BPF_DW, R3, base, off);
  b.alu64_imm(BPF_ADD, R3, value);
  b.stx(BPF_DW, base, off, R3);
}

// Adds `value` to word 0 of the member's block.
void emit_count_entry(InsnBuilder &b, uint32_t counter_index, int32_t value) {
  b.ldx(BPF_DW, R2, R10, kCountersSlot);
  emit_add(b, R2, block_offset(counter_index), value);
}

// Counts the verdict in r0 (kept) in its block's verdict word, "other" past XDP_REDIRECT.
void emit_fused_count_verdict(InsnBuilder &b, uint32_t counter_index) {
  Label known = b.new_label();
  b.ldx(BPF_DW, R2, R10, kCountersSlot);
  b.mov32_reg(R1, R0);
  b.jmp32_imm(BPF_JLE, R1, XDP_REDIRECT, known);
  b.mov32_imm(R1, XDP_REDIRECT + 1);
  b.bind(known);
  b.alu64_imm(BPF_LSH, R1, 3);
  b.alu64_reg(BPF_ADD, R2, R1);
  emit_add(b, R2, static_cast<int16_t>(block_offset(counter_index) + 8), 1);
}

// What a member's counting costs, by layout (dispatcher_spec.h): word 0 on entry (always,
// or only for a member that may leave by a tail call, taken back with its verdict), then
// the verdict.
struct MemberCounting {
  bool entry = false;
  bool take_back_entry = false;
};

MemberCounting member_counting(CounterLayout layout, const MemberShape &shape) {
  if (layout == CounterLayout::entered_then_verdict) return {true, false};
  return {shape.tail_calls, shape.tail_calls};
}

} // namespace

Result<FusedImage> generate_fused(const FusedSpec &spec) {
  if (spec.members.empty())
    return Error(ErrorKind::invalid_argument, "fused program: the chain has no members");
  const bool counting = spec.counters_map.valid();
  FusedImage out;
  InsnBuilder b;
  emit_fused_prologue(b, spec.counters_map);

  std::vector<MemberShape> shapes;
  uint32_t deepest = 0;
  size_t deepest_member = 0;
  for (size_t m = 0; m < spec.members.size(); ++m) {
    auto shape = analyse_member(spec.members[m].insns);
    if (!shape) return std::move(shape).error().wrap("program '" + spec.members[m].label + "'");
    if (shape->main_stack > deepest) deepest = shape->main_stack, deepest_member = m;
    shapes.push_back(*shape);
  }
  out.stack_bytes = deepest + kFusedSlotBytes;
  if (out.stack_bytes > kMaxStackBytes)
    return Error(ErrorKind::not_supported,
                 "program '" + spec.members[deepest_member].label + "' uses " +
                     std::to_string(deepest) + " bytes of stack; with the fused chain's own " +
                     std::to_string(kFusedSlotBytes) + " that is " +
                     std::to_string(out.stack_bytes) + ", over the kernel's " +
                     std::to_string(kMaxStackBytes))
        .hint("use --backend tailcall, where each member has its own " +
              std::to_string(kMaxStackBytes) + " bytes");

  // Member ranges are measured in builder positions, which equal final indexes.
  std::vector<PendingSubprogs> pending;
  Label done = b.new_label();
  bool runs_off_end = false;
  for (size_t m = 0; m < spec.members.size(); ++m) {
    const FusedMemberSpec &member = spec.members[m];
    Label verdict = b.new_label();
    Label next = b.new_label();
    const MemberCounting count = member_counting(spec.layout, shapes[m]);
    if (counting && count.entry) emit_count_entry(b, member.slot.counter_index, 1);
    b.ldx(BPF_DW, R1, R10, kCtxSlot);
    size_t begin = b.pos();
    auto subprogs = emit_inlined_main(b, member.insns, shapes[m], kFusedSlotBytes, verdict);
    if (!subprogs) return std::move(subprogs).error().wrap("program '" + member.label + "'");
    out.ranges.push_back({begin, b.pos(), m});
    pending.push_back(std::move(*subprogs));
    b.bind(verdict);
    // The continue check comes first: a verdict that lets the chain go on is counted with
    // a constant offset on its own branch; a final verdict is counted by its value.
    const bool last = m + 1 == spec.members.size();
    const Label go_on = last ? done : next;
    std::vector<std::pair<int, Label>> continuing;
    for (int action = XDP_ABORTED; action <= XDP_REDIRECT; ++action)
      if (member.slot.proceed_on & (1u << action)) {
        Label target = counting ? b.new_label() : go_on;
        b.jmp32_imm(BPF_JEQ, R0, action, target);
        continuing.push_back({action, target});
      }
    const bool goes_on = !continuing.empty();
    if (counting) emit_fused_count_verdict(b, member.slot.counter_index);
    if (counting && count.take_back_entry) emit_count_entry(b, member.slot.counter_index, -1);
    b.exit_insn();
    if (counting)
      for (const auto &[action, target] : continuing) {
        b.bind(target);
        b.ldx(BPF_DW, R2, R10, kCountersSlot);
        emit_add(b, R2,
                 static_cast<int16_t>(block_offset(member.slot.counter_index) + 8 + 8 * action), 1);
        if (count.take_back_entry) emit_add(b, R2, block_offset(member.slot.counter_index), -1);
        b.ja(go_on);
      }
    // After a member with an empty continue set nothing runs; the verifier refuses code it
    // cannot reach, so the rest of the chain is left out.
    if (!goes_on) break;
    b.bind(next);
    runs_off_end = last;
  }
  if (runs_off_end) {
    b.bind(done);
    b.mov64_imm(R0, XDP_PASS);
    b.exit_insn();
  }
  for (size_t m = 0; m < pending.size(); ++m) {
    size_t begin = b.pos();
    emit_subprogs(b, pending[m]);
    if (b.pos() > begin) out.ranges.push_back({begin, b.pos(), m});
  }

  auto insns = b.assemble();
  if (!insns) return std::move(insns).error().wrap("fused program");
  out.image.name = "xdpc_fused";
  out.image.insns = std::move(*insns);
  out.image.frags = spec.frags;
  return out;
}

long member_at_verifier_stop(const std::string &log, const std::vector<FusedRange> &ranges) {
  static const std::regex insn_line(R"(^(\d+): \()");
  std::istringstream lines(log);
  std::string line;
  long last = -1;
  std::smatch match;
  while (std::getline(lines, line))
    if (std::regex_search(line, match, insn_line)) last = std::stol(match[1]);
  if (last < 0) return -1;
  for (const FusedRange &range : ranges)
    if (static_cast<size_t>(last) >= range.begin && static_cast<size_t>(last) < range.end)
      return static_cast<long>(range.member);
  return -1;
}

} // namespace xdpchain::dispatcher
