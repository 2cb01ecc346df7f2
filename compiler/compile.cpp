#include "compiler/compile.h"

#include "common/untrusted_file.h"
#include "compiler/pipeline.h"

namespace xdpchain::compiler {

Result<std::vector<uint8_t>> compile_source(const std::string &source, const std::string &file_name,
                                            const CompileOptions &options) {
  auto object = run_pipeline(std::make_shared<const SourceFile>(file_name, source), options);
  if (!object) return std::move(object).error();
  return std::move(object->elf);
}

namespace {

DiagnosticNote note_at(const Span &span, std::string message) {
  DiagnosticNote n;
  if (span.valid()) n.file = span.file->name(), n.line = span.line(), n.column = span.column();
  n.message = std::move(message);
  return n;
}

CompileDiagnostic to_data(const Diagnostic &d) {
  CompileDiagnostic out;
  out.code = d.code;
  DiagnosticNote at = note_at(d.span, d.message);
  out.file = at.file, out.line = at.line, out.column = at.column, out.message = d.message;
  for (SpanChain from = d.span.expanded_from; from; from = from->expanded_from)
    out.notes.push_back(note_at(*from, "expanded from this macro call"));
  for (const Note &n : d.notes)
    out.notes.push_back(note_at(n.span, n.message));
  out.hints = d.hints;
  return out;
}

} // namespace

CompileReport compile_source_report(const std::string &source, const std::string &file_name,
                                    const CompileOptions &options) {
  CompileReport report;
  Diagnostics diags;
  auto file = std::make_shared<const SourceFile>(file_name, source); // spans point into it
  auto object = run_pipeline(file, options, diags);
  if (object) {
    report.object = std::move(object->elf);
    return report;
  }
  for (const Diagnostic &d : diags.errors())
    report.diagnostics.push_back(to_data(d));
  if (report.diagnostics.empty()) { // a failure after the front end, e.g. BTF
    CompileDiagnostic d;
    d.code = "internal";
    d.file = file_name;
    d.message = object.error().str();
    report.diagnostics.push_back(std::move(d));
  }
  report.formatted = object.error().message();
  return report;
}

Result<std::vector<uint8_t>> compile_file(const std::string &path, const CompileOptions &options) {
  auto text = read_untrusted_file(path, kMaxSourceBytes, "source");
  if (!text) return std::move(text).error().wrap("compile");
  return compile_source(*text, path, options);
}

} // namespace xdpchain::compiler
