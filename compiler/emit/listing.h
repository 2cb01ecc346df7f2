// `xdpchain compile --emit asm`: a readable BPF listing, each source line shown above the
// instructions it produced.
#pragma once

#include "compiler/pipeline.h"

#include <string>

namespace xdpchain::compiler {

std::string format_listing(const CompiledObject &object);
// One instruction in the kernel verifier's notation ("r1 = *(u32 *)(r6 +4)").
std::string format_insn(const bpf_insn &insn, const bpf_insn *next);

} // namespace xdpchain::compiler
