// The semantic check of forms that bind or branch: let and let* (binding shapes, types,
// duplicates, declare), dotimes, and the clauses of cond and case.
#include "compiler/sema/checker.h"

#include "compiler/forms/bindings.h"

#include <set>

namespace xdpchain::compiler::sema {

const Checker::Variable *Checker::find_variable(const std::string &name) const {
  for (size_t i = scopes_.size(); i-- > 0;) {
    auto it = scopes_[i].find(name);
    if (it != scopes_[i].end()) return &it->second;
  }
  return nullptr;
}

void Checker::let(const Datum &d, bool sequential) {
  const std::string &h = d.head();
  if (!d[1]->is_list()) {
    error(d[1]->span,
          h + ": expected a list of bindings ((VAR INIT)...), found '" + to_string(*d[1]) + "'");
    return;
  }
  std::map<std::string, Variable> bound; // let: visible from the body on
  std::set<std::string> names;
  if (sequential) scopes_.emplace_back();
  for (const DatumPtr &b : d[1]->items) {
    auto parts = parse_binding(*b);
    if (!parts) {
      error(b->span, h + ": expected a binding (VAR INIT), (VAR TYPE INIT) or (VAR TYPE)");
      continue;
    }
    const std::string &name = parts->name->text;
    // let* may bind a name again (each binding sees the ones before); let may not.
    if (!sequential && !names.insert(name).second)
      error(parts->name->span, h + ": duplicate binding '" + name + "'");
    if (parts->type) scalar_type(*parts->type, "");
    if (parts->init) expr(*parts->init);
    Variable var{address_taken_in_body(d, name)};
    if (sequential)
      scopes_.back()[name] = var;
    else
      bound[name] = var;
  }
  if (!sequential) scopes_.push_back(std::move(bound));
  size_t from = 2;
  for (; from < d.size() && d[from]->head_is("declare"); ++from)
    declarations(*d[from]);
  body(d.items, from);
  scopes_.pop_back();
}

// (declare (type TYPE VAR...)...) at the start of a let body; other declarations are
// accepted and ignored.
void Checker::declarations(const Datum &declare) {
  for (size_t i = 1; i < declare.size(); ++i) {
    const Datum &decl = *declare[i];
    if (!decl.head_is("type") || decl.size() < 3) continue;
    scalar_type(*decl[1], "declare: ");
    for (size_t v = 2; v < decl.size(); ++v)
      if (!decl[v]->is_symbol() || !find_variable(decl[v]->text))
        error(decl[v]->span,
              "declare: '" + to_string(*decl[v]) + "' is not a variable of this let");
  }
}

void Checker::dotimes(const Datum &d) {
  const Datum &counter = *d[1];
  if (!counter.is_list() || counter.size() != 2 || !counter[0]->is_symbol()) {
    error(counter.span, "dotimes: expected (VAR COUNT), found '" + to_string(counter) + "'");
    return;
  }
  size_t before = diags_.errors().size();
  expr(*counter[1]);
  if (diags_.errors().size() == before && !is_constant(*counter[1]))
    if (Diagnostic *e = error(counter[1]->span, "dotimes: COUNT must be a constant"))
      e->hints.push_back("the verifier needs a bound");
  scopes_.emplace_back();
  scopes_.back()[counter[0]->text] = Variable{};
  body(d.items, 2);
  scopes_.pop_back();
}

void Checker::cond_clause(const Datum &clause) {
  if (!clause.is_list() || clause.items.empty()) {
    error(clause.span, "cond: expected a clause (TEST BODY...), found '" + to_string(clause) + "'");
    return;
  }
  bool is_default = clause[0]->is_symbol("t") || clause[0]->is_symbol("otherwise");
  if (!is_default) expr(*clause[0]);
  body(clause.items, 1);
}

void Checker::case_clause(const Datum &clause) {
  if (!clause.is_list() || clause.items.empty()) {
    error(clause.span, "case: expected a clause (KEY BODY...) or ((KEY...) BODY...), found '" +
                           to_string(clause) + "'");
    return;
  }
  const Datum &keys = *clause[0];
  bool is_default = keys.is_symbol("t") || keys.is_symbol("otherwise");
  if (!is_default && !keys.is_int()) {
    if (!keys.is_list()) {
      error(keys.span, "case: keys must be integer constants, found '" + to_string(keys) + "'");
    } else {
      for (const DatumPtr &k : keys.items)
        if (!k->is_int())
          error(k->span, "case: keys must be integer constants, found '" + to_string(*k) + "'");
    }
  }
  body(clause.items, 1);
}

} // namespace xdpchain::compiler::sema
