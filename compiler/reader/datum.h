// The reader's output: integers, symbols, keywords, strings and lists, each with a Span.
// Datums are immutable and shared, so macro expansion can reuse argument subtrees.
#pragma once

#include "compiler/source.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace xdpchain::compiler {

enum class DatumKind { integer, symbol, keyword, string, list };

struct Datum;
using DatumPtr = std::shared_ptr<const Datum>;

struct Datum {
  DatumKind kind = DatumKind::list;
  int64_t integer = 0;         // two's complement bits of the literal
  std::string text;            // symbol (lower case), keyword (no ':'), string contents
  std::vector<DatumPtr> items; // list elements
  Span span;

  bool is_list() const { return kind == DatumKind::list; }
  bool is_int() const { return kind == DatumKind::integer; }
  bool is_symbol() const { return kind == DatumKind::symbol; }
  bool is_symbol(const char *name) const { return kind == DatumKind::symbol && text == name; }
  bool is_keyword() const { return kind == DatumKind::keyword; }
  bool is_keyword(const char *name) const { return kind == DatumKind::keyword && text == name; }
  bool is_string() const { return kind == DatumKind::string; }
  // A non-empty list whose first element is the symbol `name`.
  bool head_is(const char *name) const {
    return is_list() && !items.empty() && items[0]->is_symbol(name);
  }
  // The head symbol's name, or "" when this is not a list starting with a symbol.
  const std::string &head() const;
  size_t size() const { return items.size(); }
  const DatumPtr &operator[](size_t i) const { return items[i]; }
};

DatumPtr make_int(int64_t value, const Span &span);
DatumPtr make_symbol(std::string name, const Span &span);
DatumPtr make_keyword(std::string name, const Span &span);
DatumPtr make_string(std::string text, const Span &span);
DatumPtr make_list(std::vector<DatumPtr> items, const Span &span);

// Lisp-like printing, used by tests and the asm listing.
std::string to_string(const Datum &datum);

} // namespace xdpchain::compiler
