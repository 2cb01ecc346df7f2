#include "compiler/ir/address_folding.h"

#include <linux/bpf.h>

#include <map>

namespace xdpchain::compiler::ir {

namespace {

bool is_memory(const Inst &i) {
  return i.op == Op::load || i.op == Op::store || i.op == Op::atomic_add;
}

} // namespace

void run_address_folding(Function &fn) {
  std::map<Reg, int> def_count;
  for (const Inst &inst : fn.insts)
    for (Reg r : defs(inst))
      ++def_count[r];
  // Registers used other than as a memory base cannot be folded.
  std::map<Reg, bool> non_address_use;
  for (const Inst &inst : fn.insts) {
    for (Reg r : uses(inst)) {
      bool as_base = is_memory(inst) && inst.base == r && (inst.src.is_imm || inst.src.reg != r);
      if (!as_base) non_address_use[r] = true;
    }
  }
  for (size_t i = 0; i + 1 < fn.insts.size(); ++i) {
    const Inst &mov = fn.insts[i];
    const Inst &add = fn.insts[i + 1];
    if (mov.op != Op::mov || mov.is32 || mov.src.is_imm || add.op != Op::alu || add.is32 ||
        add.code != BPF_ADD || !add.src.is_imm || add.dst != mov.dst)
      continue;
    Reg v = mov.dst, base = mov.src.reg;
    if (!is_virtual(v) || def_count[v] != 2 || non_address_use[v]) continue;
    if (base != kFramePointer && (!is_virtual(base) || def_count[base] != 1)) continue;
    int64_t c = add.src.imm;
    bool fits = true;
    for (const Inst &inst : fn.insts)
      if (is_memory(inst) && inst.base == v &&
          (inst.off + c < INT16_MIN || inst.off + c > INT16_MAX))
        fits = false;
    if (!fits) continue;
    for (Inst &inst : fn.insts)
      if (is_memory(inst) && inst.base == v) inst.base = base, inst.off += static_cast<int32_t>(c);
    fn.insts.erase(fn.insts.begin() + static_cast<long>(i),
                   fn.insts.begin() + static_cast<long>(i) + 2);
    --i;
  }
}

} // namespace xdpchain::compiler::ir
