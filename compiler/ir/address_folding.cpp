#include "compiler/ir/address_folding.h"

#include <linux/bpf.h>

#include <map>

namespace xdpchain::compiler::ir {

namespace {

bool is_memory(const Inst &i) {
  return i.op == Op::load || i.op == Op::store || i.op == Op::atomic_add;
}

// `r += C` (64-bit, constant C): the instruction that makes an address out of a pointer.
bool is_constant_add(const Inst &i) {
  return i.op == Op::alu && !i.is32 && i.code == BPF_ADD && i.src.is_imm;
}

// True when `inst` reads `r` only as the base address of a memory access.
bool uses_only_as_base(const Inst &inst, Reg r) {
  return is_memory(inst) && inst.base == r && (inst.src.is_imm || inst.src.reg != r);
}

struct RegUses {
  std::map<Reg, int> def_count;
  // Registers read other than as a memory base or by their own `r += C` cannot be folded.
  std::map<Reg, bool> non_address_use;
};

RegUses collect_uses(const Function &fn) {
  RegUses out;
  for (const Inst &inst : fn.insts) {
    for (Reg r : defs(inst))
      ++out.def_count[r];
    bool own_add = is_constant_add(inst);
    for (Reg r : uses(inst))
      if (!uses_only_as_base(inst, r) && !(own_add && inst.dst == r)) out.non_address_use[r] = true;
  }
  return out;
}

// `v = p; v += C` at index i, where v is only an address and p never changes.
bool is_foldable_pair(const Function &fn, size_t i, RegUses &regs) {
  const Inst &mov = fn.insts[i];
  const Inst &add = fn.insts[i + 1];
  if (mov.op != Op::mov || mov.is32 || mov.src.is_imm || !is_constant_add(add) ||
      add.dst != mov.dst)
    return false;
  Reg v = mov.dst, base = mov.src.reg;
  if (!is_virtual(v) || regs.def_count[v] != 2 || regs.non_address_use[v]) return false;
  if (base != kFramePointer && (!is_virtual(base) || regs.def_count[base] != 1)) return false;
  for (const Inst &inst : fn.insts) {
    if (!is_memory(inst) || inst.base != v) continue;
    int64_t off = inst.off + add.src.imm;
    if (off < INT16_MIN || off > INT16_MAX) return false;
  }
  return true;
}

} // namespace

void run_address_folding(Function &fn) {
  RegUses regs = collect_uses(fn);
  for (size_t i = 0; i + 1 < fn.insts.size();) {
    if (!is_foldable_pair(fn, i, regs)) {
      ++i;
      continue;
    }
    Reg v = fn.insts[i].dst, base = fn.insts[i].src.reg;
    auto c = static_cast<int32_t>(fn.insts[i + 1].src.imm);
    for (Inst &inst : fn.insts)
      if (is_memory(inst) && inst.base == v) inst.base = base, inst.off += c;
    fn.insts.erase(fn.insts.begin() + static_cast<long>(i),
                   fn.insts.begin() + static_cast<long>(i) + 2);
  }
}

} // namespace xdpchain::compiler::ir
