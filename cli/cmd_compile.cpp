// xdpchain compile FILE.lisp [-o FILE.o] [--emit obj|asm]: compiles a program written in
// the xdpchain language (docs/dsl.md) to a BPF object, or prints a BPF listing with the
// source lines, without clang.
#include "cli/command_registry.h"
#include "cli/json_output.h"
#include "cli/report.h"
#include "compiler/emit/listing.h"
#include "compiler/pipeline.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

namespace xdpchain::cli {

namespace {

struct CompileCommandOptions {
  std::string input;
  std::string output; // default: the input with .o
  std::string emit = "obj";
};

int run_compile(const CompileCommandOptions &opts, const GlobalOptions &global) {
  std::ifstream in(opts.input, std::ios::binary);
  if (!in)
    return report_error(Error::from_errno("open '" + opts.input + "'", errno).wrap("compile"),
                        global);
  std::ostringstream text;
  text << in.rdbuf();
  auto source = std::make_shared<const compiler::SourceFile>(opts.input, text.str());
  auto object = compiler::run_pipeline(source, {});
  if (!object) {
    // Diagnostics are already formatted with positions, source lines and carets.
    if (global.json) return report_message(object.error().message(), kExitUsage, global);
    std::cerr << object.error().message();
    return kExitUsage;
  }
  nlohmann::json document = json_document();
  if (opts.emit == "asm") {
    std::string listing = compiler::format_listing(*object);
    if (opts.output.empty() || opts.output == "-") {
      if (!global.json) {
        std::cout << listing;
        return kExitOk;
      }
      document["listing"] = listing;
    } else {
      std::ofstream(opts.output) << listing;
      document["written"] = opts.output;
    }
    if (global.json) print_json(document);
    return kExitOk;
  }
  std::string output = opts.output;
  if (output.empty()) output = std::filesystem::path(opts.input).replace_extension(".o").string();
  std::ofstream out(output, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char *>(object->elf.data()),
            static_cast<std::streamsize>(object->elf.size()));
  if (!out)
    return report_error(Error::from_errno("write '" + output + "'", errno).wrap("compile"), global);
  size_t insns = 0;
  for (const auto &section : object->sections)
    insns += section.insn_count;
  if (global.json) {
    document["written"] = output;
    document["programs"] = object->model.programs.size();
    document["instructions"] = insns;
    print_json(document);
  } else if (global.verbose) {
    std::cerr << "compile: wrote '" << output << "': " << object->model.programs.size()
              << " program(s), " << insns << " instructions\n";
  }
  return kExitOk;
}

void setup(CLI::App &app, GlobalOptions &global) {
  auto opts = std::make_shared<CompileCommandOptions>();
  CLI::App *sub = app.add_subcommand(
      "compile", "compile a .lisp program (docs/dsl.md) to a BPF object, no clang needed");
  sub->add_option("file", opts->input, "the .lisp source")->required()->check(CLI::ExistingFile);
  sub->add_option("-o,--output", opts->output,
                  "output file (default: FILE.o; '-' for stdout with --emit asm)");
  sub->add_option("--emit", opts->emit, "what to write: obj (an ELF object) or asm (a listing)")
      ->check(CLI::IsMember({"obj", "asm"}))
      ->capture_default_str();
  sub->footer("examples:\n  xdpchain compile drop_port.lisp -o drop_port.o\n"
              "  xdpchain compile drop_port.lisp --emit asm");
  sub->callback([opts, &global] { global.exit_code = run_compile(*opts, global); });
}

const RegisterCommand registered{{"compile", 70, setup, /*needs_root=*/false}};

} // namespace

} // namespace xdpchain::cli
