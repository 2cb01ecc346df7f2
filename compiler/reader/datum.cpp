#include "compiler/reader/datum.h"

namespace xdpchain::compiler {

const std::string &Datum::head() const {
  static const std::string empty;
  if (is_list() && !items.empty() && items[0]->is_symbol()) return items[0]->text;
  return empty;
}

namespace {
DatumPtr make(DatumKind kind, int64_t value, std::string text, std::vector<DatumPtr> items,
              const Span &span) {
  auto d = std::make_shared<Datum>();
  d->kind = kind;
  d->integer = value;
  d->text = std::move(text);
  d->items = std::move(items);
  d->span = span;
  return d;
}
} // namespace

DatumPtr make_int(int64_t value, const Span &span) {
  return make(DatumKind::integer, value, {}, {}, span);
}
DatumPtr make_symbol(std::string name, const Span &span) {
  return make(DatumKind::symbol, 0, std::move(name), {}, span);
}
DatumPtr make_keyword(std::string name, const Span &span) {
  return make(DatumKind::keyword, 0, std::move(name), {}, span);
}
DatumPtr make_string(std::string text, const Span &span) {
  return make(DatumKind::string, 0, std::move(text), {}, span);
}
DatumPtr make_list(std::vector<DatumPtr> items, const Span &span) {
  return make(DatumKind::list, 0, {}, std::move(items), span);
}

std::string to_string(const Datum &datum) {
  switch (datum.kind) {
  case DatumKind::integer:
    return std::to_string(datum.integer);
  case DatumKind::symbol:
    return datum.text;
  case DatumKind::keyword:
    return ":" + datum.text;
  case DatumKind::string:
    return "\"" + datum.text + "\"";
  case DatumKind::list: {
    std::string out = "(";
    for (size_t i = 0; i < datum.items.size(); ++i) {
      if (i) out += ' ';
      out += to_string(*datum.items[i]);
    }
    return out + ")";
  }
  }
  return {};
}

} // namespace xdpchain::compiler
