#include "compiler/regalloc/regalloc.h"

#include "compiler/ir/liveness.h"

#include <algorithm>

namespace xdpchain::compiler {

namespace {

using ir::Reg;

constexpr int kMaxRounds = 24;
constexpr int kMachineRegs = 10; // r0-r9 are allocatable; r10 is the frame pointer

// Caller-saved registers first, keeping r6-r9 for values that survive calls.
const Reg kPreference[] = {1, 2, 3, 4, 5, 0, 6, 7, 8, 9};

class Graph {
public:
  explicit Graph(size_t n) : n_(n), bits_(n * n, false), moves_(n) {}
  void interfere(Reg a, Reg b) {
    if (a == b || a == ir::kFramePointer || b == ir::kFramePointer) return;
    bits_[a * n_ + b] = bits_[b * n_ + a] = true;
  }
  bool interferes(Reg a, Reg b) const { return bits_[a * n_ + b]; }
  void add_move(Reg a, Reg b) {
    moves_[a].push_back(b);
    moves_[b].push_back(a);
  }
  const std::vector<Reg> &moves(Reg r) const { return moves_[r]; }
  size_t size() const { return n_; }

private:
  size_t n_;
  std::vector<bool> bits_;
  std::vector<std::vector<Reg>> moves_;
};

Graph build_graph(const ir::Function &fn) {
  ir::Liveness lv = ir::compute_liveness(fn);
  Graph g(static_cast<size_t>(fn.next_vreg));
  ir::for_each_live_after(fn, lv, [&](size_t i, const ir::RegSet &live) {
    const ir::Inst &inst = fn.insts[i];
    bool is_move = inst.op == ir::Op::mov && !inst.src.is_imm && !inst.is32;
    for (Reg d : ir::defs(inst)) {
      live.for_each([&](Reg r) {
        if (is_move && r == inst.src.reg) return; // a copy does not conflict with its source
        g.interfere(d, r);
      });
    }
    if (is_move) g.add_move(inst.dst, inst.src.reg);
  });
  return g;
}

// Order: the order of first definition, so hints from earlier values flow forward.
std::vector<Reg> allocation_order(const ir::Function &fn) {
  std::vector<Reg> order;
  std::vector<bool> seen(static_cast<size_t>(fn.next_vreg), false);
  for (const ir::Inst &inst : fn.insts) {
    std::vector<Reg> regs = ir::defs(inst);
    for (Reg r : ir::uses(inst))
      regs.push_back(r);
    for (Reg r : regs)
      if (ir::is_virtual(r) && !seen[r]) seen[r] = true, order.push_back(r);
  }
  return order;
}

// Colours every virtual register; returns the ones that could not be coloured.
std::vector<Reg> colour(const ir::Function &fn, const Graph &g, std::vector<Reg> &colour_of) {
  colour_of.assign(g.size(), ir::kNoReg);
  for (Reg r = 0; r <= ir::kFramePointer; ++r)
    colour_of[r] = r;
  std::vector<Reg> uncoloured;
  for (Reg v : allocation_order(fn)) {
    bool free[kMachineRegs];
    for (Reg c = 0; c < kMachineRegs; ++c)
      free[c] = true;
    for (Reg other = 0; other < static_cast<Reg>(g.size()); ++other)
      if (colour_of[other] != ir::kNoReg && colour_of[other] < kMachineRegs &&
          g.interferes(v, other))
        free[colour_of[other]] = false;
    Reg chosen = ir::kNoReg;
    auto try_hint = [&](Reg hint) {
      if (chosen == ir::kNoReg && hint != ir::kNoReg && hint < kMachineRegs && free[hint])
        chosen = hint;
    };
    for (Reg m : g.moves(v))
      try_hint(colour_of[m]);
    for (Reg m : g.moves(v))
      if (colour_of[m] == ir::kNoReg)
        for (Reg m2 : g.moves(m))
          try_hint(!ir::is_virtual(m2) ? m2 : ir::kNoReg);
    for (Reg c : kPreference)
      try_hint(c);
    if (chosen == ir::kNoReg)
      uncoloured.push_back(v);
    else
      colour_of[v] = chosen;
  }
  return uncoloured;
}

// Every definition of `v` goes to a stack slot, every use reloads it.
void spill(ir::Function &fn, Reg v) {
  fn.stack_size = fn.stack_peak; // below every slot lowering ever used
  int slot = fn.alloc_stack(8, 8);
  std::vector<ir::Inst> out;
  for (ir::Inst inst : fn.insts) {
    std::vector<Reg> used = ir::uses(inst);
    std::vector<Reg> defined = ir::defs(inst);
    bool uses_v = std::find(used.begin(), used.end(), v) != used.end();
    bool defines_v = std::find(defined.begin(), defined.end(), v) != defined.end();
    if (!uses_v && !defines_v) {
      out.push_back(inst);
      continue;
    }
    Reg t = fn.new_vreg();
    if (uses_v) {
      ir::Inst load;
      load.op = ir::Op::load;
      load.dst = t;
      load.base = ir::kFramePointer;
      load.off = slot;
      load.size = 8;
      load.loc = inst.loc;
      out.push_back(load);
    }
    if (inst.dst == v) inst.dst = t;
    if (!inst.src.is_imm && inst.src.reg == v) inst.src.reg = t;
    if (inst.base == v) inst.base = t;
    out.push_back(inst);
    if (defines_v) {
      ir::Inst store;
      store.op = ir::Op::store;
      store.base = ir::kFramePointer;
      store.off = slot;
      store.size = 8;
      store.src = ir::Operand::r(t);
      store.loc = inst.loc;
      out.push_back(store);
    }
  }
  fn.insts = std::move(out);
}

void rewrite(ir::Function &fn, const std::vector<Reg> &colour_of) {
  std::vector<ir::Inst> out;
  for (ir::Inst inst : fn.insts) {
    if (inst.dst != ir::kNoReg) inst.dst = colour_of[inst.dst];
    if (!inst.src.is_imm && inst.src.reg != ir::kNoReg) inst.src.reg = colour_of[inst.src.reg];
    if (inst.base != ir::kNoReg) inst.base = colour_of[inst.base];
    if (inst.op == ir::Op::mov && !inst.is32 && !inst.src.is_imm && inst.src.reg == inst.dst)
      continue;
    out.push_back(inst);
  }
  fn.insts = std::move(out);
}

} // namespace

Result<RegallocStats> run_register_allocation(ir::Function &fn) {
  RegallocStats stats;
  for (int round = 0; round < kMaxRounds; ++round) {
    Graph g = build_graph(fn);
    std::vector<Reg> colour_of;
    std::vector<Reg> uncoloured = colour(fn, g, colour_of);
    if (uncoloured.empty()) {
      rewrite(fn, colour_of);
      return stats;
    }
    for (Reg v : uncoloured)
      spill(fn, v);
    stats.spilled += static_cast<int>(uncoloured.size());
    if (fn.stack_peak > 512)
      return Error(ErrorKind::invalid_argument,
                   "program '" + fn.name +
                       "': too many live values: spilling needs more than the "
                       "512-byte stack");
  }
  return Error(ErrorKind::invalid_argument,
               "program '" + fn.name + "': register allocation did not converge");
}

} // namespace xdpchain::compiler
