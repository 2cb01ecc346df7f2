#include "compiler/emit/peephole.h"

#include "compiler/ir/dead_code.h"

#include <linux/bpf.h>

#include <map>

namespace xdpchain::compiler {

namespace {

using ir::Inst;
using ir::Op;

uint8_t negate(uint8_t code) {
  switch (code) {
  case BPF_JEQ:
    return BPF_JNE;
  case BPF_JNE:
    return BPF_JEQ;
  case BPF_JGT:
    return BPF_JLE;
  case BPF_JLE:
    return BPF_JGT;
  case BPF_JGE:
    return BPF_JLT;
  case BPF_JLT:
    return BPF_JGE;
  case BPF_JSGT:
    return BPF_JSLE;
  case BPF_JSLE:
    return BPF_JSGT;
  case BPF_JSGE:
    return BPF_JSLT;
  case BPF_JSLT:
    return BPF_JSGE;
  default:
    return 0;
  }
}

std::map<int, size_t> label_positions(const ir::Function &fn) {
  std::map<int, size_t> pos;
  for (size_t i = 0; i < fn.insts.size(); ++i)
    if (fn.insts[i].op == Op::label) pos[fn.insts[i].label] = i;
  return pos;
}

// Index of the first real instruction at or after `i`.
size_t skip_labels(const ir::Function &fn, size_t i) {
  while (i < fn.insts.size() && fn.insts[i].op == Op::label)
    ++i;
  return i;
}

bool label_between(const ir::Function &fn, size_t from, size_t to, int label) {
  for (size_t i = from; i < to; ++i)
    if (fn.insts[i].op == Op::label && fn.insts[i].label == label) return true;
  return false;
}

bool one_pass(ir::Function &fn) {
  bool changed = false;
  auto pos = label_positions(fn);
  // Jump threading: a jump to "goto L2" goes to L2 directly.
  for (Inst &inst : fn.insts) {
    if (inst.op != Op::jump && inst.op != Op::ja) continue;
    for (int hops = 0; hops < 8; ++hops) {
      size_t t = skip_labels(fn, pos[inst.label]);
      if (t >= fn.insts.size() || fn.insts[t].op != Op::ja || fn.insts[t].label == inst.label)
        break;
      inst.label = fn.insts[t].label;
      changed = true;
    }
  }
  std::vector<Inst> out;
  for (size_t i = 0; i < fn.insts.size(); ++i) {
    Inst inst = fn.insts[i];
    size_t next = skip_labels(fn, i + 1);
    // A jump to the instruction right after it does nothing.
    if ((inst.op == Op::ja || inst.op == Op::jump) && label_between(fn, i + 1, next, inst.label)) {
      changed = true;
      continue;
    }
    // "if c goto A; goto B; A:" becomes "if !c goto B; A:".
    if (inst.op == Op::jump && next == i + 1 && next < fn.insts.size() &&
        fn.insts[next].op == Op::ja && negate(inst.code)) {
      size_t after = skip_labels(fn, next + 1);
      if (label_between(fn, next + 1, after, inst.label)) {
        inst.code = negate(inst.code);
        inst.label = fn.insts[next].label;
        out.push_back(inst);
        ++i; // drop the goto
        changed = true;
        continue;
      }
    }
    // "goto L" where L is a bare exit: the exit itself is as short as the jump.
    if (inst.op == Op::ja) {
      size_t t = skip_labels(fn, pos[inst.label]);
      if (t < fn.insts.size() && fn.insts[t].op == Op::exit) {
        Inst exit = fn.insts[t];
        exit.loc = inst.loc;
        out.push_back(exit);
        changed = true;
        continue;
      }
    }
    out.push_back(inst);
  }
  fn.insts = std::move(out);
  return changed;
}

} // namespace

void run_peephole(ir::Function &fn) {
  for (int round = 0; round < 16; ++round) {
    bool changed = one_pass(fn);
    size_t before = fn.insts.size();
    ir::run_dead_code_elimination(fn);
    if (!changed && fn.insts.size() == before) break;
  }
}

} // namespace xdpchain::compiler
