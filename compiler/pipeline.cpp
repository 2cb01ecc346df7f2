#include "compiler/pipeline.h"

#include "compiler/btf/object_btf.h"
#include "compiler/elf/elf_writer.h"
#include "compiler/emit/emit.h"
#include "compiler/emit/peephole.h"
#include "compiler/expand/macro_expand.h"
#include "compiler/fold/fold_constants.h"
#include "compiler/ir/address_folding.h"
#include "compiler/ir/dead_code.h"
#include "compiler/ir/verify.h"
#include "compiler/lower/lower_program.h"
#include "compiler/model/collect_definitions.h"
#include "compiler/reader/reader.h"
#include "compiler/regalloc/regalloc.h"
#include "compiler/sema/sema.h"

#include <cstring>
#include <map>

namespace xdpchain::compiler {

namespace {

Error diagnostics_error(const Diagnostics &diags) {
  return Error(ErrorKind::invalid_argument, diags.format());
}

Error internal_error(const ProgramDef &program, const Error &error, Diagnostics &diags) {
  diags.set_stage("internal");
  diags
      .error(program.span,
             "internal compiler error in program '" + program.name + "': " + error.str())
      .hints.push_back("please report this with the source file");
  return diagnostics_error(diags);
}

// Front-end stages, in order. Each returns false once it has recorded an error.
std::optional<ProgramModel> front_end(const SourceFile &source, Diagnostics &diags) {
  diags.set_stage("syntax");
  std::vector<DatumPtr> forms = run_reader(source, diags);
  if (diags.has_errors()) return std::nullopt;
  diags.set_stage("macro");
  forms = run_macro_expansion(forms, diags);
  if (diags.has_errors()) return std::nullopt;
  diags.set_stage("constant");
  forms = run_fold_constants(forms, diags);
  if (diags.has_errors()) return std::nullopt;
  diags.set_stage("definition");
  ProgramModel model = run_collect_definitions(forms, diags);
  if (diags.has_errors()) return std::nullopt;
  if (model.programs.empty()) {
    diags.error(Span{&source, 0, 0, nullptr}, "no defprog in this file: nothing to compile");
    return std::nullopt;
  }
  diags.set_stage("semantic");
  if (!run_semantic_check(model, diags)) return std::nullopt;
  return model;
}

// Back-end stages for one program: lowering, clean-up, allocation, peephole, emission.
Result<EmittedProgram> compile_program(const ProgramModel &model, const ProgramDef &program,
                                       Diagnostics &diags, const CompileOptions &options) {
  diags.set_stage("lowering");
  auto fn = run_lowering(model, program, diags);
  if (!fn) return diagnostics_error(diags);
  diags.set_stage("backend");
  auto check = [&](bool allocated) -> Status {
    if (!options.verify_ir) return {};
    return ir::verify(*fn, ir::VerifyOptions{allocated});
  };
  ir::run_dead_code_elimination(*fn);
  ir::run_address_folding(*fn);
  if (auto s = check(false); !s) return internal_error(program, s.error(), diags);
  auto stats = run_register_allocation(*fn);
  if (!stats) {
    diags.error(program.span, stats.error().message());
    return diagnostics_error(diags);
  }
  if (auto s = check(true); !s) return internal_error(program, s.error(), diags);
  run_peephole(*fn);
  if (auto s = check(true); !s) return internal_error(program, s.error(), diags);
  auto code = run_emit(*fn);
  if (!code) return internal_error(program, code.error(), diags);
  if (code->insns.size() > 1000000) {
    diags.error(program.span, "program '" + program.name + "' has more than 1M instructions");
    return diagnostics_error(diags);
  }
  return code;
}

ElfObject layout_elf(const ProgramModel &model, const std::vector<CodeSection> &sections,
                     ObjectBtf &btf) {
  ElfObject object;
  for (const CodeSection &section : sections) {
    ElfSection s;
    s.name = section.name;
    s.code = true;
    for (const PlacedProgram &p : section.programs) {
      const auto *bytes = reinterpret_cast<const uint8_t *>(p.code.insns.data());
      s.data.insert(s.data.end(), bytes, bytes + p.code.insns.size() * sizeof(bpf_insn));
      s.symbols.push_back({p.def->c_name, p.first_insn * 8, p.code.insns.size() * 8, true});
      for (const MapReloc &r : p.code.relocs)
        s.relocs.push_back({(p.first_insn + r.insn) * 8, model.maps[r.map].c_name});
    }
    object.sections.push_back(std::move(s));
  }
  ElfSection license{"license", false, {}, {}, {}};
  license.data.assign(model.license.begin(), model.license.end());
  license.data.push_back(0);
  license.symbols.push_back({"_license", 0, license.data.size(), false});
  object.sections.push_back(std::move(license));
  if (!model.maps.empty()) {
    ElfSection maps{".maps", false, std::vector<uint8_t>(btf.maps_size, 0), {}, {}};
    for (const DataSymbol &m : btf.maps)
      maps.symbols.push_back({m.name, m.offset, m.size, false});
    object.sections.push_back(std::move(maps));
  }
  if (btf.run_config_size) {
    ElfSection config{
        ".xdp_run_config", false, std::vector<uint8_t>(btf.run_config_size, 0), {}, {}};
    for (const DataSymbol &v : btf.run_config)
      config.symbols.push_back({v.name, v.offset, v.size, false});
    object.sections.push_back(std::move(config));
  }
  object.btf = std::move(btf.btf);
  object.btf_ext = std::move(btf.btf_ext);
  return object;
}

} // namespace

bool run_front_end(const SourceFile &source, Diagnostics &diags) {
  auto model = front_end(source, diags);
  if (!model) return false;
  diags.set_stage("lowering");
  for (const ProgramDef &program : model->programs) {
    auto fn = run_lowering(*model, program, diags);
    if (!fn) return false;
    ir::run_dead_code_elimination(*fn);
    if (!ir::verify(*fn)) return false;
  }
  return !diags.has_errors();
}

Result<CompiledObject> run_pipeline(std::shared_ptr<const SourceFile> source,
                                    const CompileOptions &options) {
  Diagnostics diags;
  return run_pipeline(std::move(source), options, diags);
}

Result<CompiledObject> run_pipeline(std::shared_ptr<const SourceFile> source,
                                    const CompileOptions &options, Diagnostics &diags) {
  auto model = front_end(*source, diags);
  if (!model) return diagnostics_error(diags);
  CompiledObject out;
  out.source = source;
  std::map<std::string, size_t> section_of;
  for (const ProgramDef &program : model->programs) {
    auto code = compile_program(*model, program, diags, options);
    if (!code) return std::move(code).error();
    auto it = section_of.find(program.section);
    if (it == section_of.end()) {
      it = section_of.emplace(program.section, out.sections.size()).first;
      out.sections.push_back(CodeSection{program.section, {}, 0});
    }
    CodeSection &section = out.sections[it->second];
    section.programs.push_back(PlacedProgram{&program, std::move(*code), section.insn_count});
    section.insn_count += section.programs.back().code.insns.size();
  }
  out.model = std::move(*model);
  // PlacedProgram::def pointed into the moved-from model: re-point by position.
  size_t k = 0;
  std::map<std::string, const ProgramDef *> by_name;
  for (const ProgramDef &p : out.model.programs)
    by_name[p.name] = &p;
  for (CodeSection &section : out.sections)
    for (PlacedProgram &p : section.programs)
      p.def = by_name.at(p.def->name), ++k;
  auto btf = run_build_btf(out.model, out.sections, *source);
  if (!btf) return std::move(btf).error().wrap("compile '" + source->name() + "'");
  out.elf = run_write_elf(layout_elf(out.model, out.sections, *btf));
  return out;
}

} // namespace xdpchain::compiler
