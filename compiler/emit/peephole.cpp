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

bool same_operand(const ir::Operand &a, const ir::Operand &b) {
  return a.is_imm == b.is_imm && (a.is_imm ? a.imm == b.imm : a.reg == b.reg);
}

// Same operation on the same registers and values; the source position may differ.
bool same_inst(const Inst &a, const Inst &b) {
  return a.op == b.op && a.dst == b.dst && same_operand(a.src, b.src) && a.base == b.base &&
         a.off == b.off && a.imm == b.imm && a.code == b.code && a.size == b.size &&
         a.is32 == b.is32 && a.label == b.label && a.map == b.map && a.nargs == b.nargs;
}

// One past the exit ending the straight-line return block that starts at `begin` (no
// labels, no jumps), or 0 when there is none.
size_t return_block_end(const ir::Function &fn, size_t begin) {
  for (size_t i = begin; i < fn.insts.size(); ++i) {
    Op op = fn.insts[i].op;
    if (op == Op::exit) return i + 1;
    if (op == Op::label || op == Op::jump || op == Op::ja) return 0;
  }
  return 0;
}

// Index of the last copy, at or after `from`, of the instructions [begin, end) with no
// label inside it; fn.insts.size() when there is none. The last one, so that every
// repeated block goes to the same copy (a first block merged into the second would make
// the second a jump target, which is never merged).
size_t find_copy(const ir::Function &fn, size_t begin, size_t end, size_t from) {
  size_t len = end - begin;
  for (size_t j = fn.insts.size() - len + 1; j-- > from;) {
    size_t k = 0;
    while (k < len && same_inst(fn.insts[j + k], fn.insts[begin + k]))
      ++k;
    if (k == len) return j;
  }
  return fn.insts.size();
}

// The label bound right before instruction `at`, binding a new one if there is none.
int label_before(ir::Function &fn, size_t at) {
  if (at > 0 && fn.insts[at - 1].op == Op::label) return fn.insts[at - 1].label;
  Inst label;
  label.op = Op::label;
  label.label = fn.new_label();
  label.loc = fn.insts[at].loc;
  fn.insts.insert(fn.insts.begin() + static_cast<long>(at), label);
  return label.label;
}

// "if c goto L; <block ending in exit>; L:" where the same block also appears further on
// becomes "if !c goto M; L:" with M bound before that copy: a return block (such as
// `r0 = XDP_PASS; exit` after a bounds check) is shared instead of repeated.
bool merge_repeated_return_blocks(ir::Function &fn) {
  bool changed = false;
  for (size_t i = 0; i + 1 < fn.insts.size(); ++i) {
    const Inst &jump = fn.insts[i];
    if (jump.op != Op::jump || !negate(jump.code)) continue;
    size_t end = return_block_end(fn, i + 1);
    if (end == 0 || !label_between(fn, end, skip_labels(fn, end), jump.label)) continue;
    size_t copy = find_copy(fn, i + 1, end, end);
    if (copy == fn.insts.size()) continue;
    int target = label_before(fn, copy); // may reallocate fn.insts: `jump` is stale now
    fn.insts[i].code = negate(fn.insts[i].code);
    fn.insts[i].label = target;
    fn.insts.erase(fn.insts.begin() + static_cast<long>(i) + 1,
                   fn.insts.begin() + static_cast<long>(end));
    changed = true;
  }
  return changed;
}

} // namespace

void run_peephole(ir::Function &fn) {
  for (int round = 0; round < 16; ++round) {
    bool changed = one_pass(fn);
    changed |= merge_repeated_return_blocks(fn);
    size_t before = fn.insts.size();
    ir::run_dead_code_elimination(fn);
    if (!changed && fn.insts.size() == before) break;
  }
}

} // namespace xdpchain::compiler
