// The emitted programs grouped by ELF section, in the order they are laid out.
#pragma once

#include "compiler/emit/emit.h"
#include "compiler/model/program_model.h"

#include <string>
#include <vector>

namespace xdpchain::compiler {

struct PlacedProgram {
  const ProgramDef *def = nullptr;
  EmittedProgram code;
  size_t first_insn = 0; // index of its first instruction within the section
};

struct CodeSection {
  std::string name;
  std::vector<PlacedProgram> programs;
  size_t insn_count = 0;
};

} // namespace xdpchain::compiler
