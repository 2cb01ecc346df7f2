// Stage 7: allocated IR to BPF instructions, with the source position of every
// instruction (for line_info) and the map each ld_imm64 refers to (for relocations).
#pragma once

#include "common/result.h"
#include "compiler/ir/ir.h"

#include <linux/bpf.h>

#include <vector>

namespace xdpchain::compiler {

struct MapReloc {
  size_t insn; // index of the ld_imm64
  int map;     // index into the model's maps
};

struct EmittedProgram {
  std::vector<bpf_insn> insns;
  std::vector<ir::Loc> locs; // one per instruction slot
  std::vector<MapReloc> relocs;
};

Result<EmittedProgram> run_emit(const ir::Function &fn);

} // namespace xdpchain::compiler
