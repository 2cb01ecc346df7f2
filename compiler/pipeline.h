// The one ordered list of compiler passes, and what it produces besides the ELF bytes
// (the per-section code and source, used by the asm listing and by tests).
#pragma once

#include "common/result.h"
#include "compiler/btf/code_sections.h"
#include "compiler/compile.h"
#include "compiler/diagnostics.h"
#include "compiler/source.h"

#include <memory>

namespace xdpchain::compiler {

struct CompiledObject {
  std::shared_ptr<const SourceFile> source;
  ProgramModel model;
  std::vector<CodeSection> sections;
  std::vector<uint8_t> elf;
};

// Runs every stage; stops after the first stage that reports an error and returns the
// formatted diagnostics as Error(invalid_argument).
Result<CompiledObject> run_pipeline(std::shared_ptr<const SourceFile> source,
                                    const CompileOptions &options);
// The same, leaving the diagnostics in `diags` (internal errors included, as "internal").
Result<CompiledObject> run_pipeline(std::shared_ptr<const SourceFile> source,
                                    const CompileOptions &options, Diagnostics &diags);

// The front end alone (reader, macros, constants, definitions, semantic check, lowering);
// used by the fuzzer and by pass tests. Returns false when diagnostics were recorded.
bool run_front_end(const SourceFile &source, Diagnostics &diags);

} // namespace xdpchain::compiler
