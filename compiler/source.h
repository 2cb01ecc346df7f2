// Source text and positions. Every datum the reader produces carries a Span; macro
// expansion chains spans through `expanded_from` so diagnostics can name both sites.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace xdpchain::compiler {

class SourceFile {
public:
  SourceFile(std::string name, std::string text);

  const std::string &name() const { return name_; }
  const std::string &text() const { return text_; }
  // 1-based line and column of a byte offset.
  uint32_t line_of(uint32_t offset) const;
  uint32_t column_of(uint32_t offset) const;
  // Text of a 1-based line, without its newline.
  std::string_view line_text(uint32_t line) const;
  uint32_t line_count() const { return static_cast<uint32_t>(line_starts_.size()); }

private:
  std::string name_;
  std::string text_;
  std::vector<uint32_t> line_starts_;
};

struct Span;
using SpanChain = std::shared_ptr<const Span>;

struct Span {
  const SourceFile *file = nullptr;
  uint32_t begin = 0;
  uint32_t end = 0;
  SpanChain expanded_from; // the macro call this text was produced by, if any

  bool valid() const { return file != nullptr; }
  uint32_t line() const { return file ? file->line_of(begin) : 0; }
  uint32_t column() const { return file ? file->column_of(begin) : 0; }
};

} // namespace xdpchain::compiler
