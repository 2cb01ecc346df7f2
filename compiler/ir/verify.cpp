#include "compiler/ir/verify.h"

#include "compiler/ir/liveness.h"

#include <cstdint>
#include <set>
#include <string>

namespace xdpchain::compiler::ir {

namespace {

// Whether an instruction's immediate and offset fit the fields of the BPF instruction they
// are emitted into: the 32-bit imm is sign-extended for 64-bit operations and 8-byte
// stores, truncated for 32-bit ones and narrower stores; offsets are 16-bit.
std::string encoding_problem(const Inst &inst) {
  auto in = [](int64_t v, int64_t lo, int64_t hi) { return v >= lo && v <= hi; };
  const int64_t s32_min = INT32_MIN, s32_max = INT32_MAX, u32_max = UINT32_MAX;
  bool has_imm = inst.src.is_imm && (inst.op == Op::mov || inst.op == Op::alu ||
                                     inst.op == Op::jump || inst.op == Op::store);
  if (has_imm) {
    bool truncated = inst.op == Op::store ? inst.size < 8 : inst.is32;
    if (!in(inst.src.imm, s32_min, truncated ? u32_max : s32_max))
      return "immediate " + std::to_string(inst.src.imm) + " does not fit " +
             (truncated ? "32 bits" : "a sign-extended 32-bit field");
  }
  bool has_off = inst.op == Op::load || inst.op == Op::store || inst.op == Op::atomic_add;
  if (has_off && !in(inst.off, INT16_MIN, INT16_MAX))
    return "offset " + std::to_string(inst.off) + " does not fit 16 bits";
  return "";
}

} // namespace

Status verify(const Function &fn, const VerifyOptions &options) {
  auto fail = [&](const std::string &what) {
    return Error(ErrorKind::invalid_argument, "ir verify: function '" + fn.name + "': " + what);
  };
  std::set<int> labels;
  for (const Inst &inst : fn.insts)
    if (inst.op == Op::label && !labels.insert(inst.label).second)
      return fail("label L" + std::to_string(inst.label) + " defined twice");
  for (size_t i = 0; i < fn.insts.size(); ++i) {
    const Inst &inst = fn.insts[i];
    if ((inst.op == Op::jump || inst.op == Op::ja) && !labels.count(inst.label))
      return fail("instruction " + std::to_string(i) + " jumps to undefined label L" +
                  std::to_string(inst.label));
    if (std::string problem = encoding_problem(inst); !problem.empty())
      return fail("instruction " + std::to_string(i) + ": " + problem);
    std::vector<Reg> regs = uses(inst);
    for (Reg r : defs(inst))
      regs.push_back(r);
    for (Reg r : regs) {
      if (r < 0 || r >= fn.next_vreg || (r > kFramePointer && r < kFirstVirtual))
        return fail("instruction " + std::to_string(i) + " uses bad register " + std::to_string(r));
      if (options.allocated && is_virtual(r))
        return fail("virtual register v" + std::to_string(r) + " left after allocation");
    }
    for (Reg r : defs(inst))
      if (r == kFramePointer) return fail("instruction " + std::to_string(i) + " writes r10");
  }
  if (fn.insts.empty()) return fail("no instructions");
  Op last = fn.insts.back().op;
  if (last != Op::exit && last != Op::ja) return fail("control falls off the end");
  Liveness lv = compute_liveness(fn);
  std::string undefined;
  lv.live_in[0].for_each([&](Reg r) {
    if (r != 1 && r != kFramePointer && undefined.empty())
      undefined = (is_virtual(r) ? "v" : "r") + std::to_string(r);
  });
  if (!undefined.empty()) return fail(undefined + " is used before it is defined on some path");
  return {};
}

} // namespace xdpchain::compiler::ir
