#include "compiler/ir/liveness.h"

#include <map>

namespace xdpchain::compiler::ir {

bool RegSet::merge(const RegSet &other) {
  bool grew = false;
  for (size_t i = 0; i < words_.size(); ++i) {
    uint64_t next = words_[i] | other.words_[i];
    grew |= next != words_[i];
    words_[i] = next;
  }
  return grew;
}

std::vector<Block> build_blocks(const Function &fn) {
  std::vector<Block> blocks;
  std::map<int, size_t> label_block;
  size_t n = fn.insts.size();
  size_t start = 0;
  for (size_t i = 0; i <= n; ++i) {
    bool boundary_before = i < n && fn.insts[i].op == Op::label && i != start;
    if (boundary_before) {
      blocks.push_back({start, i, {}});
      start = i;
    }
    if (i == n) {
      if (start < n) blocks.push_back({start, n, {}});
      break;
    }
    Op op = fn.insts[i].op;
    if (op == Op::jump || op == Op::ja || op == Op::exit) {
      blocks.push_back({start, i + 1, {}});
      start = i + 1;
    }
  }
  for (size_t b = 0; b < blocks.size(); ++b)
    for (size_t i = blocks[b].begin; i < blocks[b].end; ++i)
      if (fn.insts[i].op == Op::label) label_block[fn.insts[i].label] = b;
  for (size_t b = 0; b < blocks.size(); ++b) {
    Block &block = blocks[b];
    if (block.begin == block.end) continue;
    const Inst &last = fn.insts[block.end - 1];
    if (last.op == Op::jump || last.op == Op::ja) {
      auto it = label_block.find(last.label);
      if (it != label_block.end()) block.succs.push_back(it->second);
    }
    if (last.op != Op::ja && last.op != Op::exit && b + 1 < blocks.size())
      block.succs.push_back(b + 1);
  }
  return blocks;
}

Liveness compute_liveness(const Function &fn) {
  Liveness lv;
  lv.blocks = build_blocks(fn);
  lv.reg_count = static_cast<size_t>(fn.next_vreg);
  size_t nb = lv.blocks.size();
  std::vector<RegSet> use(nb, RegSet(lv.reg_count)), def(nb, RegSet(lv.reg_count));
  for (size_t b = 0; b < nb; ++b) {
    for (size_t i = lv.blocks[b].begin; i < lv.blocks[b].end; ++i) {
      for (Reg r : uses(fn.insts[i]))
        if (!def[b].has(r)) use[b].add(r);
      for (Reg r : defs(fn.insts[i]))
        def[b].add(r);
    }
  }
  lv.live_in.assign(nb, RegSet(lv.reg_count));
  lv.live_out.assign(nb, RegSet(lv.reg_count));
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t b = nb; b-- > 0;) {
      RegSet out(lv.reg_count);
      for (size_t s : lv.blocks[b].succs)
        out.merge(lv.live_in[s]);
      RegSet in = out;
      def[b].for_each([&](Reg r) { in.remove(r); });
      in.merge(use[b]);
      if (!(in == lv.live_in[b]) || !(out == lv.live_out[b])) {
        lv.live_in[b] = std::move(in);
        lv.live_out[b] = std::move(out);
        changed = true;
      }
    }
  }
  return lv;
}

void for_each_live_after(const Function &fn, const Liveness &lv,
                         const std::function<void(size_t, const RegSet &)> &f) {
  for (size_t b = 0; b < lv.blocks.size(); ++b) {
    RegSet live = lv.live_out[b];
    for (size_t i = lv.blocks[b].end; i-- > lv.blocks[b].begin;) {
      f(i, live);
      for (Reg r : defs(fn.insts[i]))
        live.remove(r);
      for (Reg r : uses(fn.insts[i]))
        live.add(r);
    }
  }
}

} // namespace xdpchain::compiler::ir
