#include "dispatcher/fused_opt/packet_prefix.h"

#include "dispatcher/bpf_functions.h"
#include "dispatcher/fused_opt/insn_edit.h"

#include <algorithm>
#include <array>
#include <cstddef>

namespace xdpchain::dispatcher::fused_opt {

namespace {

constexpr int16_t kDataOff = offsetof(struct xdp_md, data);
constexpr int16_t kDataEndOff = offsetof(struct xdp_md, data_end);

// What a register is known to hold, along straight-line code.
struct Value {
  enum Kind { unknown, ctx, data, data_end } kind = unknown;
  long offset = 0; // for data: the register holds the packet's start + offset
};

struct Found {
  std::vector<size_t> data_loads;
  std::vector<std::pair<size_t, uint32_t>> checks; // index, prefix it needs to go
};

// The prefix a check at `insn` needs to be never taken, or 0 when it is not such a check.
uint32_t check_needs(const bpf_insn &insn, const std::array<Value, 11> &regs) {
  if (BPF_CLASS(insn.code) != BPF_JMP || BPF_SRC(insn.code) != BPF_X) return 0;
  if (insn.dst_reg > 10 || insn.src_reg > 10) return 0;
  const Value &dst = regs[insn.dst_reg], &src = regs[insn.src_reg];
  const Value *pkt = nullptr;
  bool strict = false; // taken when pkt > end (strict) or pkt >= end
  switch (BPF_OP(insn.code)) {
  case BPF_JGT:
    pkt = &dst, strict = true;
    break; // pkt > end
  case BPF_JGE:
    pkt = &dst;
    break; // pkt >= end
  case BPF_JLT:
    pkt = &src, strict = true;
    break; // end < pkt
  case BPF_JLE:
    pkt = &src;
    break; // end <= pkt
  default:
    return 0;
  }
  const Value &end = pkt == &dst ? src : dst;
  if (pkt->kind != Value::data || end.kind != Value::data_end || pkt->offset < 0) return 0;
  const long needs = pkt->offset + (strict ? 0 : 1);
  return needs > 0xffff ? 0 : static_cast<uint32_t>(needs);
}

Found scan(const std::vector<bpf_insn> &insns, size_t main_end) {
  std::vector<bool> is_target(insns.size() + 1, false);
  for (size_t i = 0; i < main_end; ++i)
    if (auto target = jump_target(insns, i); target && *target < is_target.size())
      is_target[*target] = true;
  Found found;
  std::array<Value, 11> regs{};
  regs[BPF_REG_1].kind = Value::ctx;
  for (size_t i = 0; i < main_end; ++i) {
    if (is_target[i]) regs.fill(Value{});
    const bpf_insn &insn = insns[i];
    const uint8_t cls = BPF_CLASS(insn.code);
    if (is_ld_imm64(insn)) {
      if (insn.dst_reg > 10) return {};
      regs[insn.dst_reg] = Value{};
      ++i;
      continue;
    }
    if (cls == BPF_JMP || cls == BPF_JMP32) {
      if (BPF_OP(insn.code) == BPF_CALL) {
        for (int r = BPF_REG_0; r <= BPF_REG_5; ++r)
          regs[r] = Value{};
      } else if (uint32_t needs = check_needs(insn, regs)) {
        found.checks.push_back({i, needs});
      }
      continue;
    }
    if (insn.dst_reg > 10 || insn.src_reg > 10) return {}; // malformed: touch nothing
    if (cls == BPF_LDX) {
      Value loaded;
      if (BPF_MODE(insn.code) == BPF_MEM && BPF_SIZE(insn.code) == BPF_W &&
          regs[insn.src_reg].kind == Value::ctx) {
        if (insn.off == kDataOff) {
          loaded.kind = Value::data;
          found.data_loads.push_back(i);
        } else if (insn.off == kDataEndOff) {
          loaded.kind = Value::data_end;
        }
      }
      regs[insn.dst_reg] = loaded;
      continue;
    }
    if (cls == BPF_STX && BPF_MODE(insn.code) == BPF_ATOMIC) {
      if (insn.imm & BPF_FETCH) regs[insn.src_reg] = Value{};
      if (insn.imm == BPF_CMPXCHG) regs[BPF_REG_0] = Value{};
      continue;
    }
    if (cls == BPF_ST || cls == BPF_STX) continue;
    // ALU and ALU64 (BPF_LD's legacy packet loads write r0 and are refused for XDP).
    Value result;
    if (insn.code == (BPF_ALU64 | BPF_MOV | BPF_X) && insn.off == 0) {
      result = regs[insn.src_reg];
    } else if (insn.code == (BPF_ALU64 | BPF_ADD | BPF_K) &&
               regs[insn.dst_reg].kind == Value::data) {
      result = regs[insn.dst_reg];
      result.offset += insn.imm;
    }
    if (cls == BPF_LD) regs[BPF_REG_0] = Value{};
    regs[insn.dst_reg] = result;
  }
  return found;
}

} // namespace

uint32_t wanted_prefix(const std::vector<bpf_insn> &insns, size_t main_end) {
  uint32_t most = 0;
  for (const auto &[index, needs] : scan(insns, main_end).checks)
    most = std::max(most, needs);
  return most;
}

PrefixRewrite assume_packet_prefix(const std::vector<bpf_insn> &insns, size_t main_end,
                                   uint32_t bytes, int16_t data_slot) {
  const Found found = scan(insns, main_end);
  PrefixRewrite out;
  std::vector<bpf_insn> rewritten = insns;
  for (size_t i : found.data_loads) {
    bpf_insn &insn = rewritten[i];
    insn.code = BPF_LDX | BPF_DW | BPF_MEM;
    insn.src_reg = BPF_REG_10;
    insn.off = data_slot;
    ++out.data_loads;
  }
  std::vector<bool> keep(rewritten.size(), true);
  for (const auto &[index, needs] : found.checks)
    if (needs <= bytes) keep[index] = false, ++out.checks_removed;
  if (out.checks_removed == 0) {
    out.insns = std::move(rewritten);
    return out;
  }
  std::vector<bpf_insn> fewer = remove_insns(rewritten, keep);
  std::vector<bool> live = reachable(fewer);
  out.insns = remove_insns(fewer, live);
  return out;
}

} // namespace xdpchain::dispatcher::fused_opt
