#include "compiler/diagnostics.h"

#include <algorithm>

namespace xdpchain::compiler {

Diagnostic &Diagnostics::error(const Span &span, std::string message) {
  errors_.push_back(Diagnostic{stage_, span, std::move(message), {}, {}});
  return errors_.back();
}

std::string format_at(const Span &span, const std::string &severity, const std::string &message) {
  if (!span.valid()) return severity + ": " + message + "\n";
  uint32_t line = span.line();
  uint32_t column = span.column();
  std::string out = span.file->name() + ":" + std::to_string(line) + ":" + std::to_string(column) +
                    ": " + severity + ": " + message + "\n";
  std::string_view text = span.file->line_text(line);
  out += "  ";
  out += text;
  out += "\n  ";
  for (uint32_t i = 1; i < column && i <= text.size(); ++i)
    out += text[i - 1] == '\t' ? '\t' : ' ';
  uint32_t width = 1;
  if (span.end > span.begin && span.file->line_of(span.end - 1) == line)
    width = std::max<uint32_t>(1, span.end - span.begin);
  out += '^';
  out += std::string(width - 1, '~');
  out += "\n";
  return out;
}

std::string Diagnostics::format() const {
  std::string out;
  for (const Diagnostic &d : errors_) {
    out += format_at(d.span, "error", d.message);
    for (SpanChain from = d.span.expanded_from; from; from = from->expanded_from)
      out += format_at(*from, "note", "expanded from this macro call");
    for (const Note &note : d.notes)
      out += format_at(note.span, "note", note.message);
    for (const std::string &hint : d.hints)
      out += "  hint: " + hint + "\n";
  }
  return out;
}

} // namespace xdpchain::compiler
