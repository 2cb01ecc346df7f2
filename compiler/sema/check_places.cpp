// The semantic check of places: what setf assigns to, and the (getmap MAP KEY) that incf
// and decf add to.
#include "compiler/sema/checker.h"

#include "compiler/forms/call_target.h"

namespace xdpchain::compiler::sema {

void Checker::place(const Datum &p) {
  if (p.is_symbol()) {
    if (!find_variable(p.text)) error(p.span, "setf: undefined variable '" + p.text + "'");
    return;
  }
  const std::string &h = p.head();
  if (h == "getmap" || h == "ctx" || h == "load") return core(p, *find_core_form(h));
  if ((h == "ntohs" || h == "ntohl" || h == "ntohll") && p.size() == 2 && p[1]->head_is("load"))
    return core(*p[1], *find_core_form("load"));
  if (auto accessor = find_accessor(model_, h)) {
    if (!accessor->assignable()) {
      error(p.span, "setf: '" + h + "' is not an assignable struct field");
      return;
    }
    if (arity(p, 1, 1, "(" + h + " POINTER)")) expr(*p[1]);
    return;
  }
  error(p.span, "setf: cannot assign to '" + to_string(p) +
                    "': expected a variable, (ctx FIELD), (getmap MAP KEY), (load ...) or a "
                    "struct field accessor");
}

void Checker::counter_map(const Datum &p, const Datum &form) {
  if (!p.head_is("getmap")) {
    error(p.span, form.head() + ": expected a (getmap MAP KEY) place");
    return;
  }
  size_t before = diags_.errors().size();
  core(p, *find_core_form("getmap"));
  if (diags_.errors().size() != before) return;
  const MapDef &m = model_.maps[model_.find_map(p[1]->text)];
  if (!m.value_struct.empty() || !unsigned_scalar_of_size(m.value_size))
    error(p.span, form.head() + ": map '" + m.name + "' does not hold integers");
}

} // namespace xdpchain::compiler::sema
