#include "compiler/ir/dead_code.h"

#include "compiler/ir/liveness.h"

namespace xdpchain::compiler::ir {

namespace {

bool remove_unreachable(Function &fn) {
  std::vector<Block> blocks = build_blocks(fn);
  if (blocks.empty()) return false;
  std::vector<bool> seen(blocks.size(), false);
  std::vector<size_t> work{0};
  seen[0] = true;
  while (!work.empty()) {
    size_t b = work.back();
    work.pop_back();
    for (size_t s : blocks[b].succs)
      if (!seen[s]) seen[s] = true, work.push_back(s);
  }
  std::vector<Inst> kept;
  bool changed = false;
  for (size_t b = 0; b < blocks.size(); ++b) {
    if (!seen[b]) {
      changed |= blocks[b].end > blocks[b].begin;
      continue;
    }
    kept.insert(kept.end(), fn.insts.begin() + blocks[b].begin, fn.insts.begin() + blocks[b].end);
  }
  fn.insts = std::move(kept);
  return changed;
}

bool remove_dead_defs(Function &fn) {
  Liveness lv = compute_liveness(fn);
  std::vector<bool> dead(fn.insts.size(), false);
  bool any = false;
  for_each_live_after(fn, lv, [&](size_t i, const RegSet &live) {
    const Inst &inst = fn.insts[i];
    if (!is_pure(inst)) return;
    bool is_self_move =
        inst.op == Op::mov && !inst.is32 && !inst.src.is_imm && inst.src.reg == inst.dst;
    if (is_self_move || !live.has(inst.dst)) dead[i] = any = true;
  });
  if (!any) return false;
  std::vector<Inst> kept;
  for (size_t i = 0; i < fn.insts.size(); ++i)
    if (!dead[i]) kept.push_back(fn.insts[i]);
  fn.insts = std::move(kept);
  return true;
}

} // namespace

void run_dead_code_elimination(Function &fn) {
  for (int round = 0; round < 32; ++round) {
    bool changed = remove_unreachable(fn);
    changed |= remove_dead_defs(fn);
    if (!changed) break;
  }
}

} // namespace xdpchain::compiler::ir
