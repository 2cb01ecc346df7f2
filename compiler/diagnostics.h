// The diagnostics sink every pass writes to. Passes record errors and keep going where
// they can; the pipeline stops after the first pass that recorded an error. One formatter
// renders "file:line:col: error: message", the source line and a caret.
#pragma once

#include "compiler/source.h"

#include <string>
#include <vector>

namespace xdpchain::compiler {

struct Note {
  Span span;
  std::string message;
};

struct Diagnostic {
  std::string code; // what kind of error, stable for tests and tools (see compile.h)
  Span span;
  std::string message;
  std::vector<Note> notes;
  std::vector<std::string> hints;
};

class Diagnostics {
public:
  // Records an error and returns it so callers can attach notes and hints.
  Diagnostic &error(const Span &span, std::string message);
  // The code given to errors recorded from now on: the stage that runs ("syntax",
  // "macro", ...). A pass may set a more specific code on the Diagnostic it gets back.
  void set_stage(std::string code) { stage_ = std::move(code); }
  bool has_errors() const { return !errors_.empty(); }
  const std::vector<Diagnostic> &errors() const { return errors_; }
  // All diagnostics, formatted; macro-expanded spans get "note: expanded from" lines.
  std::string format() const;

private:
  std::vector<Diagnostic> errors_;
  std::string stage_ = "error";
};

// "file:line:col: <severity>: message\n  source line\n  caret\n".
std::string format_at(const Span &span, const std::string &severity, const std::string &message);

} // namespace xdpchain::compiler
