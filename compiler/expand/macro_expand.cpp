#include "compiler/expand/macro_expand.h"

#include "compiler/expand/ct_eval.h"
#include "compiler/expand/form_shapes.h"
#include "compiler/expand/macro.h"
#include "compiler/expand/prelude.h"

#include <map>

namespace xdpchain::compiler {

namespace {

constexpr int kMaxExpansionDepth = 64;
constexpr size_t kMaxExpansions = 20000;

class Expander {
public:
  explicit Expander(Diagnostics &diags) : diags_(diags), ct_(diags) {}

  CtInterpreter &interpreter() { return ct_; }

  DatumPtr expand(const DatumPtr &form, int depth) {
    if (!form || !form->is_list() || form->items.empty()) return form;
    if (depth > kMaxExpansionDepth) {
      ct_.error(form->span,
                "macro expansion nested more than " + std::to_string(kMaxExpansionDepth) + " deep")
          .hints.push_back("a macro probably expands into a call of itself");
      return nullptr;
    }
    const std::string &head = form->head();
    if (DatumPtr out = expand_builtin(*form)) return expand(out, depth + 1);
    if (diags_.has_errors()) return nullptr;
    if (const MacroDef *macro = ct_.find_macro(head)) {
      if (++expansions_ > kMaxExpansions) {
        ct_.error(form->span, "more than " + std::to_string(kMaxExpansions) + " macro expansions")
            .hints.push_back("a macro probably expands into ever more macro calls");
        return nullptr;
      }
      DatumPtr out = ct_.expand_macro(*macro, *form);
      if (!out) return nullptr;
      CtInterpreter::CallScope scope(ct_, macro->name, form->span);
      if (scope.too_deep()) return nullptr;
      return expand(out, depth + 1);
    }
    const FormShape *shape = find_form_shape(head);
    if (!shape) return expand_from(form, 0, depth, -1);
    switch (shape->walk) {
    case FormWalk::data:
      return form;
    case FormWalk::from:
      return expand_from(form, shape->first, depth, -1);
    case FormWalk::bindings:
      return expand_let(form, depth);
    case FormWalk::counter:
      return expand_from(form, 1, depth, /*binding_at=*/1);
    case FormWalk::clauses:
      return expand_clauses(form, 1, depth);
    case FormWalk::keyed:
      return expand_clauses(form, 2, depth, 1);
    }
    return form;
  }

private:
  // Expands the items of `form` from `first` on; the item at `binding_at` is a
  // (VAR COUNT) list whose COUNT alone is an expression.
  DatumPtr expand_from(const DatumPtr &form, size_t first, int depth, int binding_at) {
    std::vector<DatumPtr> items;
    for (size_t i = 0; i < form->size(); ++i) {
      const DatumPtr &item = (*form)[i];
      if (i < first) {
        items.push_back(item);
      } else if (static_cast<int>(i) == binding_at && item->is_list() && item->size() >= 2) {
        std::vector<DatumPtr> binding = item->items;
        binding[1] = expand(binding[1], depth + 1);
        if (!binding[1]) return nullptr;
        items.push_back(make_list(std::move(binding), item->span));
      } else {
        DatumPtr out = expand(item, depth + 1);
        if (!out) return nullptr;
        items.push_back(std::move(out));
      }
    }
    return make_list(std::move(items), form->span);
  }

  // cond and case: the items before `first_clause` (from 1 on) are code; each clause is a
  // list whose items from `body_from` on are code (case keys are data).
  DatumPtr expand_clauses(const DatumPtr &form, size_t first_clause, int depth,
                          size_t body_from = 0) {
    std::vector<DatumPtr> items{(*form)[0]};
    for (size_t i = 1; i < form->size(); ++i) {
      const DatumPtr &item = (*form)[i];
      if (i < first_clause || !item->is_list()) {
        DatumPtr out = expand(item, depth + 1);
        if (!out) return nullptr;
        items.push_back(std::move(out));
        continue;
      }
      std::vector<DatumPtr> clause;
      for (size_t k = 0; k < item->size(); ++k) {
        if (k < body_from) {
          clause.push_back((*item)[k]);
          continue;
        }
        DatumPtr out = expand((*item)[k], depth + 1);
        if (!out) return nullptr;
        clause.push_back(std::move(out));
      }
      items.push_back(make_list(std::move(clause), item->span));
    }
    return make_list(std::move(items), form->span);
  }

  DatumPtr expand_let(const DatumPtr &form, int depth) {
    if (form->size() < 2 || !(*form)[1]->is_list()) return expand_from(form, 1, depth, -1);
    std::vector<DatumPtr> bindings;
    for (const DatumPtr &binding : (*form)[1]->items) {
      if (!binding->is_list() || binding->size() < 2) {
        bindings.push_back(binding);
        continue;
      }
      std::vector<DatumPtr> parts = binding->items;
      DatumPtr &init = parts.back();
      init = expand(init, depth + 1);
      if (!init) return nullptr;
      bindings.push_back(make_list(std::move(parts), binding->span));
    }
    std::vector<DatumPtr> items{(*form)[0], make_list(std::move(bindings), (*form)[1]->span)};
    for (size_t i = 2; i < form->size(); ++i) {
      DatumPtr out = expand((*form)[i], depth + 1);
      if (!out) return nullptr;
      items.push_back(std::move(out));
    }
    return make_list(std::move(items), form->span);
  }

  // Built-in macros that need more than a template: when-let and if-let.
  DatumPtr expand_builtin(const Datum &form) {
    const Span &at = form.span;
    auto sym = [&](const char *name) { return make_symbol(name, at); };
    auto list = [&](std::vector<DatumPtr> items) { return make_list(std::move(items), at); };
    if (form.head_is("when-let")) {
      if (form.size() < 2 || !form[1]->is_list()) {
        diags_.error(at, "when-let: expected (when-let ((VAR INIT)...) BODY...)");
        return nullptr;
      }
      std::vector<DatumPtr> body(form.items.begin() + 2, form.items.end());
      DatumPtr inner = list([&] {
        std::vector<DatumPtr> p{sym("progn")};
        p.insert(p.end(), body.begin(), body.end());
        return p;
      }());
      const auto &bindings = form[1]->items;
      for (size_t i = bindings.size(); i-- > 0;) {
        const DatumPtr &b = bindings[i];
        if (!b->is_list() || b->size() < 2 || b->size() > 3 || !(*b)[0]->is_symbol()) {
          diags_.error(b->span, "when-let: expected a binding (VAR INIT) or (VAR TYPE INIT)");
          return nullptr;
        }
        inner = list({sym("let"), list({b}), list({sym("when"), (*b)[0], inner})});
      }
      return inner;
    }
    if (form.head_is("if-let")) {
      if (form.size() < 3 || form.size() > 4 || !form[1]->is_list() || form[1]->size() < 2 ||
          form[1]->size() > 3 || !(*form[1])[0]->is_symbol()) {
        diags_.error(at, "if-let: expected (if-let (VAR INIT) THEN [ELSE])");
        return nullptr;
      }
      DatumPtr otherwise = form.size() == 4 ? form[3] : make_int(0, at);
      return list(
          {sym("let"), list({form[1]}), list({sym("if"), (*form[1])[0], form[2], otherwise})});
    }
    return nullptr;
  }

  Diagnostics &diags_;
  CtInterpreter ct_;
  size_t expansions_ = 0;
};

void flatten_progn(const DatumPtr &form, std::vector<DatumPtr> &out) {
  if (form->head_is("progn")) {
    for (size_t i = 1; i < form->size(); ++i)
      flatten_progn((*form)[i], out);
  } else {
    out.push_back(form);
  }
}

// (eval-when (SITUATIONS...) (defun ...)...): compile-time helper functions.
void define_eval_when(const Datum &form, CtInterpreter &ct, Diagnostics &diags) {
  bool compile_time = false;
  if (form.size() >= 2 && form[1]->is_list())
    for (const DatumPtr &s : form[1]->items)
      compile_time = compile_time || s->is_keyword("compile-toplevel");
  if (!compile_time) {
    diags.error(form.span, "eval-when: expected (eval-when (:compile-toplevel) (defun ...)...)")
        .hints.push_back("only compile-time helper functions are supported in eval-when");
    return;
  }
  for (size_t i = 2; i < form.size(); ++i) {
    if (form[i]->head_is("defmacro")) {
      if (auto macro = parse_defmacro(*form[i], diags)) ct.define_macro(std::move(*macro));
    } else {
      ct.define_function(*form[i]);
    }
  }
}

} // namespace

std::vector<DatumPtr> run_macro_expansion(const std::vector<DatumPtr> &forms, Diagnostics &diags) {
  Expander expander(diags);
  CtInterpreter &ct = expander.interpreter();
  for (const DatumPtr &form : prelude_forms())
    if (auto macro = parse_defmacro(*form, diags)) ct.define_macro(std::move(*macro));
  std::vector<DatumPtr> rest;
  for (const DatumPtr &form : forms) {
    if (form->head_is("defmacro")) {
      if (auto macro = parse_defmacro(*form, diags)) ct.define_macro(std::move(*macro));
    } else if (form->head_is("eval-when")) {
      define_eval_when(*form, ct, diags);
    } else if (form->head_is("defun")) {
      diags.error(form->span, "defun at top level: programs have no run-time functions")
          .hints.push_back("compile-time helpers for macros go inside "
                           "(eval-when (:compile-toplevel) (defun ...))");
    } else if (!form->head_is("in-package")) {
      rest.push_back(form);
    }
  }
  if (diags.has_errors()) return {};
  std::vector<DatumPtr> out;
  for (const DatumPtr &form : rest) {
    DatumPtr expanded = expander.expand(form, 0);
    if (!expanded) break;
    flatten_progn(expanded, out);
  }
  return out;
}

} // namespace xdpchain::compiler
