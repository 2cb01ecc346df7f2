#include "dispatcher/inline_member.h"

#include "dispatcher/bpf_functions.h"

#include <algorithm>
#include <array>
#include <limits>
#include <map>
#include <optional>
#include <string>

namespace xdpchain::dispatcher {

using namespace bpf;

namespace {

constexpr uint8_t kFp = BPF_REG_10;

bool is_jump_class(const bpf_insn &insn) {
  return BPF_CLASS(insn.code) == BPF_JMP || BPF_CLASS(insn.code) == BPF_JMP32;
}

bool is_exit(const bpf_insn &insn) {
  return insn.code == (BPF_JMP | BPF_EXIT);
}

// Where a jump inside the same function goes.
std::optional<long> jump_target(const bpf_insn &insn, size_t i) {
  if (!is_jump_class(insn)) return std::nullopt;
  uint8_t op = BPF_OP(insn.code);
  if (op == BPF_CALL || op == BPF_EXIT) return std::nullopt;
  if (insn.code == (BPF_JMP32 | BPF_JA)) return static_cast<long>(i) + insn.imm + 1;
  return static_cast<long>(i) + insn.off + 1;
}

// Loads and stores whose base register is r10; returns a pointer to the offset field.
bool is_fp_access(const bpf_insn &insn) {
  uint8_t cls = BPF_CLASS(insn.code);
  if (cls == BPF_LDX) return insn.src_reg == kFp;
  if (cls == BPF_ST || cls == BPF_STX) return insn.dst_reg == kFp;
  return false;
}

bool is_fp_copy(const bpf_insn &insn) {
  return insn.code == (BPF_ALU64 | BPF_MOV | BPF_X) && insn.src_reg == kFp && insn.off == 0;
}

// Any other instruction that reads or writes r10 as a register.
bool uses_fp_otherwise(const bpf_insn &insn) {
  if (is_fp_copy(insn)) return false;
  uint8_t cls = BPF_CLASS(insn.code);
  if (cls == BPF_ALU || cls == BPF_ALU64)
    return insn.dst_reg == kFp || (BPF_SRC(insn.code) == BPF_X && insn.src_reg == kFp);
  if (cls == BPF_JMP || cls == BPF_JMP32) {
    uint8_t op = BPF_OP(insn.code);
    if (op == BPF_CALL || op == BPF_EXIT || op == BPF_JA) return false;
    return insn.dst_reg == kFp || (BPF_SRC(insn.code) == BPF_X && insn.src_reg == kFp);
  }
  if (cls == BPF_LDX) return insn.dst_reg == kFp;
  if (cls == BPF_STX) return insn.src_reg == kFp;
  if (cls == BPF_LD) return insn.dst_reg == kFp;
  return false;
}

Error refuse(size_t i, const std::string &why,
             const std::string &hint = "use --backend tailcall, which runs the member as it is") {
  return Error(ErrorKind::not_supported, "instruction " + std::to_string(i) + " " + why +
                                             ", which the fused backend cannot inline")
      .hint(hint);
}

// Stack depth of the main function. Direct r10 accesses count their offset; pointers
// derived by `rX = r10; rX += c` (tracked along straight-line code, forgotten at jump
// targets and on any other write to rX) count c and the offsets of accesses through them.
// A pointer passed to a helper covers [r10 + c, r10), so c is the depth it reaches.
uint32_t main_stack_depth(const std::vector<bpf_insn> &insns, size_t main_end,
                          const std::vector<bool> &is_target) {
  std::array<std::optional<long>, 11> derived{};
  long deepest = 0;
  auto note = [&](long offset) { deepest = std::max(deepest, -offset); };
  for (size_t i = 0; i < main_end; ++i) {
    if (is_target[i]) derived.fill(std::nullopt);
    const bpf_insn &insn = insns[i];
    uint8_t cls = BPF_CLASS(insn.code);
    if (is_ld_imm64(insn)) {
      derived[insn.dst_reg & 0xf].reset();
      ++i;
      continue;
    }
    if (is_fp_access(insn)) {
      note(insn.off);
    } else if ((cls == BPF_LDX || cls == BPF_ST || cls == BPF_STX)) {
      uint8_t base = cls == BPF_LDX ? insn.src_reg : insn.dst_reg;
      if (base < derived.size() && derived[base]) note(*derived[base] + insn.off);
    }
    if (is_fp_copy(insn)) {
      derived[insn.dst_reg] = 0;
      continue;
    }
    if (insn.code == (BPF_ALU64 | BPF_ADD | BPF_K) && insn.dst_reg < derived.size() &&
        derived[insn.dst_reg]) {
      *derived[insn.dst_reg] += insn.imm;
      note(*derived[insn.dst_reg]);
      continue;
    }
    if (insn.code == (BPF_JMP | BPF_CALL)) {
      for (int r = BPF_REG_0; r <= BPF_REG_5; ++r)
        derived[r].reset();
      continue;
    }
    if ((cls == BPF_ALU || cls == BPF_ALU64 || cls == BPF_LDX) && insn.dst_reg < derived.size())
      derived[insn.dst_reg].reset();
  }
  return static_cast<uint32_t>((deepest + 7) / 8 * 8);
}

} // namespace

Result<MemberShape> analyse_member(const std::vector<bpf_insn> &insns) {
  if (insns.empty()) return Error(ErrorKind::invalid_argument, "the member has no instructions");
  MemberShape shape;
  shape.main_end = insns.size();
  for (size_t i = 0; i < insns.size(); ++i) {
    // A callback's address needs BTF func_info for the whole program, which the generated
    // programs do not carry (the kernel says "missing btf func_info").
    if (is_ld_imm64(insns[i]) && insns[i].src_reg == BPF_PSEUDO_FUNC)
      return refuse(i, "takes the address of a subprogram (a callback, e.g. for bpf_loop)",
                    "use --backend tailcall (its entry program carries BTF func_info for "
                    "every function) or --backend freplace");
    if (auto target = function_target(insns, i)) {
      if (*target == 0 || *target >= insns.size())
        return refuse(i, "calls outside the program or its own start");
      shape.main_end = std::min(shape.main_end, *target);
    }
    if (is_ld_imm64(insns[i])) ++i;
  }
  std::vector<bool> is_target(insns.size() + 1, false);
  for (size_t i = 0; i < insns.size(); ++i) {
    const bpf_insn &insn = insns[i];
    const bool in_main = i < shape.main_end;
    if (auto target = jump_target(insn, i)) {
      bool target_in_main = *target >= 0 && static_cast<size_t>(*target) < shape.main_end;
      if (*target < 0 || static_cast<size_t>(*target) > insns.size() || target_in_main != in_main)
        return refuse(i, "jumps between the main function and a subprogram");
      is_target[*target] = true;
    }
    if (insn.code == (BPF_JMP | BPF_CALL) && insn.src_reg == 0 && insn.imm == BPF_FUNC_tail_call)
      shape.tail_calls = true;
    if (in_main && uses_fp_otherwise(insn))
      return refuse(i, "uses the frame pointer r10 other than as a load/store base or copy");
    if (is_ld_imm64(insn)) ++i;
  }
  shape.main_stack = main_stack_depth(insns, shape.main_end, is_target);
  return shape;
}

Result<PendingSubprogs> emit_inlined_main(InsnBuilder &b, const std::vector<bpf_insn> &insns,
                                          const MemberShape &shape, int16_t shift, Label verdict) {
  PendingSubprogs pending;
  pending.insns.assign(insns.begin() + shape.main_end, insns.end());
  std::map<size_t, Label> entries; // index in pending.insns -> label
  auto entry_label = [&](size_t target) {
    size_t index = target - shape.main_end;
    auto [it, added] = entries.try_emplace(index);
    if (added) it->second = b.new_label();
    return it->second;
  };
  std::vector<Label> at(shape.main_end + 1);
  for (auto &label : at)
    label = b.new_label();

  for (size_t i = 0; i < shape.main_end; ++i) {
    b.bind(at[i]);
    bpf_insn insn = insns[i];
    if (is_ld_imm64(insn)) {
      if (i + 1 >= shape.main_end) return refuse(i, "is a truncated 64-bit load");
      if (auto target = function_target(insns, i))
        b.raw_branch(insn, entry_label(*target));
      else
        b.raw(insn);
      b.raw(insns[++i]);
      continue;
    }
    if (is_exit(insn)) {
      b.ja(verdict);
      continue;
    }
    if (auto target = function_target(insns, i)) {
      b.raw_branch(insn, entry_label(*target));
      continue;
    }
    if (auto target = jump_target(insn, i)) {
      b.raw_branch(insn, at[*target]);
      continue;
    }
    if (is_fp_access(insn)) {
      long off = static_cast<long>(insn.off) - shift;
      if (off < std::numeric_limits<int16_t>::min())
        return refuse(i, "reaches too deep into the stack");
      insn.off = static_cast<int16_t>(off);
      b.raw(insn);
      continue;
    }
    b.raw(insn);
    if (is_fp_copy(insn)) b.alu64_imm(BPF_ADD, static_cast<Reg>(insn.dst_reg), -shift);
  }
  b.bind(at[shape.main_end]); // a jump to the end of main is refused by the kernel anyway
  for (auto &[index, label] : entries)
    pending.entries.emplace_back(index, label);
  return pending;
}

void emit_subprogs(InsnBuilder &b, const PendingSubprogs &subprogs) {
  size_t next_entry = 0;
  for (size_t i = 0; i < subprogs.insns.size(); ++i) {
    while (next_entry < subprogs.entries.size() && subprogs.entries[next_entry].first == i)
      b.bind(subprogs.entries[next_entry++].second);
    b.raw(subprogs.insns[i]);
  }
}

} // namespace xdpchain::dispatcher
