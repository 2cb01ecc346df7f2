#include "dispatcher/fused_generator.h"

#include "common/insn_builder.h"
#include "dispatcher/fused_opt/known_verdict.h"
#include "dispatcher/fused_opt/packet_helpers.h"
#include "dispatcher/fused_opt/packet_prefix.h"
#include "dispatcher/inline_member.h"

#include <algorithm>
#include <cstddef>
#include <optional>

#include <regex>
#include <sstream>

namespace xdpchain::dispatcher {

using namespace bpf;

namespace {

constexpr int16_t kCtxSlot = -8;
constexpr int16_t kCountersSlot = -16;
constexpr int16_t kFastDataSlot = -24; // the fast path's checked packet start

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

// One copy of the chain: each member's main function inline, in order, with its verdict
// handling. `code` and `shapes` are the members' instructions as this copy runs them.
struct ChainCopy {
  const std::vector<std::vector<bpf_insn>> *code;
  const std::vector<MemberShape> *shapes;
};

Status emit_chain(InsnBuilder &b, const FusedSpec &spec, const ChainCopy &copy, int16_t shift,
                  FusedImage &out, std::vector<std::pair<size_t, PendingSubprogs>> &pending) {
  const bool counting = spec.counters_map.valid();
  // Member ranges are measured in builder positions, which equal final indexes.
  Label done = b.new_label();
  bool runs_off_end = false;
  for (size_t m = 0; m < spec.members.size(); ++m) {
    const FusedMemberSpec &member = spec.members[m];
    const MemberShape &shape = (*copy.shapes)[m];
    Label verdict = b.new_label();
    Label next = b.new_label();
    const MemberCounting count = member_counting(spec.layout, shape);
    if (counting && count.entry) emit_count_entry(b, member.slot.counter_index, 1);
    b.ldx(BPF_DW, R1, R10, kCtxSlot);
    size_t begin = b.pos();
    auto subprogs = emit_inlined_main(b, (*copy.code)[m], shape, shift, verdict);
    if (!subprogs) return std::move(subprogs).error().wrap("program '" + member.label + "'");
    out.ranges.push_back({begin, b.pos(), m});
    pending.emplace_back(m, std::move(*subprogs));
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
  return {};
}

// The fast path's copy of the members: those before the first that may change the packet
// (fused_opt/packet_helpers.h) assume its first `bytes` bytes; the rest run as they are.
// Returns no copy when no member would gain anything.
struct FastCopy {
  std::vector<std::vector<bpf_insn>> code;
  std::vector<MemberShape> shapes;
  uint32_t bytes = 0;
  size_t checks_removed = 0, data_loads = 0;
};

std::optional<FastCopy> fast_copy(const FusedSpec &spec, const std::vector<MemberShape> &shapes) {
  size_t rewritable = 0;
  FastCopy fast;
  for (; rewritable < spec.members.size(); ++rewritable) {
    const auto &insns = spec.members[rewritable].insns;
    if (fused_opt::may_change_packet(insns)) break;
    const uint32_t wanted = fused_opt::wanted_prefix(insns, shapes[rewritable].main_end);
    if (wanted <= kFusedFastPathMaxBytes) fast.bytes = std::max(fast.bytes, wanted);
  }
  if (fast.bytes == 0) return std::nullopt;
  // The slot's offset in member coordinates: emit_inlined_main moves it down by the shift.
  constexpr int16_t data_slot = kFastDataSlot + kFusedFastSlotBytes;
  for (size_t m = 0; m < spec.members.size(); ++m) {
    if (m >= rewritable) {
      fast.code.push_back(spec.members[m].insns);
      fast.shapes.push_back(shapes[m]);
      continue;
    }
    auto rewrite = fused_opt::assume_packet_prefix(spec.members[m].insns, shapes[m].main_end,
                                                   fast.bytes, data_slot);
    auto shape = analyse_member(rewrite.insns);
    if (!shape) return std::nullopt;
    fast.checks_removed += rewrite.checks_removed;
    fast.data_loads += rewrite.data_loads;
    fast.code.push_back(std::move(rewrite.insns));
    fast.shapes.push_back(*shape);
  }
  return fast;
}

// Takes the fast path when the packet holds `bytes` bytes, keeping the checked start in
// its slot; otherwise goes to `slow`.
void emit_fast_path_check(InsnBuilder &b, uint32_t bytes, Label slow) {
  b.ldx(BPF_DW, R1, R10, kCtxSlot);
  b.ldx(BPF_W, R2, R1, offsetof(struct xdp_md, data));
  b.ldx(BPF_W, R3, R1, offsetof(struct xdp_md, data_end));
  b.mov64_reg(R4, R2);
  b.alu64_imm(BPF_ADD, R4, static_cast<int32_t>(bytes));
  b.jmp_reg(BPF_JGT, R4, R3, slow);
  b.stx(BPF_DW, R10, kFastDataSlot, R2);
}

} // namespace

Result<FusedImage> generate_fused(const FusedSpec &spec) {
  if (spec.members.empty())
    return Error(ErrorKind::invalid_argument, "fused program: the chain has no members");
  FusedImage out;
  InsnBuilder b;
  emit_fused_prologue(b, spec.counters_map);

  std::vector<MemberShape> shapes;
  std::vector<std::vector<bpf_insn>> code;
  uint32_t deepest = 0;
  size_t deepest_member = 0;
  for (size_t m = 0; m < spec.members.size(); ++m) {
    auto shape = analyse_member(spec.members[m].insns);
    if (!shape) return std::move(shape).error().wrap("program '" + spec.members[m].label + "'");
    if (shape->main_stack > deepest) deepest = shape->main_stack, deepest_member = m;
    shapes.push_back(*shape);
    code.push_back(spec.members[m].insns);
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

  // The fast path needs one more slot; a chain whose stack has no room for it goes without.
  std::optional<FastCopy> fast;
  if (spec.optimise && deepest + kFusedFastSlotBytes <= kMaxStackBytes)
    fast = fast_copy(spec, shapes);
  const int16_t shift = fast ? kFusedFastSlotBytes : kFusedSlotBytes;
  std::vector<std::pair<size_t, PendingSubprogs>> pending;
  if (fast) {
    Label slow = b.new_label();
    emit_fast_path_check(b, fast->bytes, slow);
    if (auto s = emit_chain(b, spec, {&fast->code, &fast->shapes}, shift, out, pending); !s)
      return std::move(s).error();
    b.bind(slow);
    out.stack_bytes = deepest + kFusedFastSlotBytes;
    out.fast_path_bytes = fast->bytes;
    out.checks_removed = fast->checks_removed;
    out.data_loads_reused = fast->data_loads;
  }
  if (auto s = emit_chain(b, spec, {&code, &shapes}, shift, out, pending); !s)
    return std::move(s).error();
  for (const auto &[member, subprogs] : pending) {
    size_t begin = b.pos();
    emit_subprogs(b, subprogs);
    if (b.pos() > begin) out.ranges.push_back({begin, b.pos(), member});
  }

  auto insns = b.assemble();
  if (!insns) return std::move(insns).error().wrap("fused program");
  out.image.name = spec.optimise ? kFusedOptimisedName : kFusedPlainName;
  out.image.insns = std::move(*insns);
  if (spec.optimise) {
    auto threaded = fused_opt::thread_known_verdicts(out.image.insns);
    out.jumps_threaded = threaded.retargeted;
    out.image.insns = std::move(threaded.insns);
    for (FusedRange &range : out.ranges)
      range.begin = threaded.old_to_new[range.begin], range.end = threaded.old_to_new[range.end];
  }
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
