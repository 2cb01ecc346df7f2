// Whether lowering will know an expression's value when compiling, following what
// lowering folds: integers, t and nil (unless bound as variables), (quote INTEGER),
// (sizeof ...), arithmetic, byte swaps and casts of constants, (and), (or), a progn or let
// ending in a constant, and forms that only have an effect (their value is 0).
#include "compiler/sema/checker.h"

#include "compiler/forms/bindings.h"
#include "compiler/forms/call_target.h"

namespace xdpchain::compiler::sema {

bool Checker::is_constant(const Datum &d, int depth) const {
  if (depth > kMaxExpressionDepth) return false;
  if (d.is_int()) return true;
  if (d.is_symbol()) return (d.text == "t" || d.text == "nil") && !find_variable(d.text);
  if (!d.is_list()) return false;
  if (d.items.empty()) return true; // () is nil
  auto all_from = [&](size_t first) {
    for (size_t i = first; i < d.size(); ++i)
      if (!is_constant(*d[i], depth + 1)) return false;
    return true;
  };
  auto last_from = [&](size_t first) {
    return d.size() <= first || is_constant(*d.items.back(), depth + 1);
  };
  CallTarget target = resolve_call(model_, d.head());
  if (target.kind == CallTarget::Kind::accessor) {
    // A field address at offset 0 is the pointer itself.
    bool address = target.accessor.pointer || target.accessor.field->type.count > 0;
    return address && target.accessor.field->offset == 0 && d.size() == 2 && all_from(1);
  }
  const CoreForm *form = target.core;
  if (!form || !form->arity_ok(d.size() - 1)) return false;
  switch (form->kind) {
  case FormKind::quote:
    return d[1]->is_int();
  case FormKind::sizeof_:
  case FormKind::declare:
  case FormKind::return_:
  case FormKind::dotimes:
  case FormKind::store:
  case FormKind::atomic_add:
  case FormKind::memset:
  case FormKind::memcpy:
  case FormKind::incf:
  case FormKind::decf:
    return true;
  case FormKind::and_:
  case FormKind::or_:
    return d.size() == 1;
  case FormKind::progn:
    return last_from(1);
  case FormKind::let:
  case FormKind::let_star:
    if (d[1]->is_list())
      for (const DatumPtr &b : d[1]->items)
        if (auto parts = parse_binding(*b))
          if (parts->name->text == "t" || parts->name->text == "nil") return false;
    return last_from(2);
  case FormKind::setf: {
    // The value of the last assignment: 0 for variables and loads, the value stored for
    // context and struct fields, the helper's result for getmap.
    const Datum &place = *d[d.size() - 2];
    const std::string &h = place.head();
    if (place.is_symbol() || h == "load" || h == "ntohs" || h == "ntohl" || h == "ntohll")
      return true;
    if (h == "getmap") return false;
    return is_constant(*d.items.back(), depth + 1);
  }
  case FormKind::arith:
  case FormKind::lognot:
  case FormKind::ash:
  case FormKind::swap16:
  case FormKind::swap32:
  case FormKind::swap64:
    return all_from(1);
  case FormKind::cast:
    return all_from(2);
  default:
    return false;
  }
}

} // namespace xdpchain::compiler::sema
