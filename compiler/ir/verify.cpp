#include "compiler/ir/verify.h"

#include "compiler/ir/liveness.h"

#include <set>

namespace xdpchain::compiler::ir {

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
