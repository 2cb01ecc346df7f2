#include "compiler/expand/macro_expand.h"

#include "compiler/expand/ct_eval.h"
#include "compiler/expand/desugar.h"
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
      ct_.limit_error(form->span, "macro expansion nested more than " +
                                      std::to_string(kMaxExpansionDepth) + " deep")
          .hints.push_back("a macro probably expands into a call of itself");
      return nullptr;
    }
    const std::string &head = form->head();
    if (const MacroDef *macro = ct_.find_macro(head)) {
      DatumPtr out = expand_call(*macro, form);
      if (!out) return nullptr;
      CtInterpreter::CallScope scope(ct_, macro->name, form->span);
      if (scope.too_deep()) return nullptr;
      return expand(out, depth + 1);
    }
    if (DatumPtr out = desugar(*form, diags_)) return expand(out, depth); // always shrinks
    if (diags_.has_errors()) return nullptr;
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

  // The expansion of one macro call (not expanded further), or null after an error.
  DatumPtr expand_call(const MacroDef &macro, const DatumPtr &form) {
    if (++expansions_ > kMaxExpansions) {
      ct_.limit_error(form->span,
                      "more than " + std::to_string(kMaxExpansions) + " macro expansions")
          .hints.push_back("a macro probably expands into ever more macro calls");
      return nullptr;
    }
    return ct_.expand_macro(macro, *form);
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

  Diagnostics &diags_;
  CtInterpreter ct_;
  size_t expansions_ = 0;
};

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

// Definitions written at top level, also inside a top-level progn: known before anything
// is expanded, so macros may be called before their definition in the file.
void define_written(const DatumPtr &form, CtInterpreter &ct, Diagnostics &diags) {
  if (form->head_is("defmacro")) {
    if (auto macro = parse_defmacro(*form, diags)) ct.define_macro(std::move(*macro));
  } else if (form->head_is("eval-when")) {
    define_eval_when(*form, ct, diags);
  } else if (form->head_is("progn")) {
    for (size_t i = 1; i < form->size(); ++i)
      define_written((*form)[i], ct, diags);
  }
}

// The top level in the order written: a progn's forms as if written in its place, a macro
// call replaced by its expansion, and the defmacros and eval-whens a macro produced
// defined where they appear (known to every form expanded after them).
class TopLevel {
public:
  TopLevel(Expander &expander, Diagnostics &diags) : expander_(expander), diags_(diags) {}

  // False once an expansion failed.
  bool add(const DatumPtr &form, bool generated, int depth) {
    CtInterpreter &ct = expander_.interpreter();
    if (form->head_is("progn")) {
      for (size_t i = 1; i < form->size(); ++i)
        if (!add((*form)[i], generated, depth)) return false;
      return true;
    }
    if (form->head_is("defmacro") || form->head_is("eval-when")) {
      if (!generated) return true; // defined before the walk
      define_written(form, ct, diags_);
      return !diags_.has_errors();
    }
    if (form->head_is("defun")) {
      diags_.error(form->span, "defun at top level: programs have no run-time functions")
          .hints.push_back("compile-time helpers for macros go inside "
                           "(eval-when (:compile-toplevel) (defun ...))");
      return true;
    }
    if (form->head_is("in-package")) return true;
    if (const MacroDef *macro = form->is_list() ? ct.find_macro(form->head()) : nullptr) {
      DatumPtr out = expander_.expand_call(*macro, form);
      if (!out) return false;
      CtInterpreter::CallScope scope(ct, macro->name, form->span);
      if (scope.too_deep()) return false;
      return add(out, true, depth + 1);
    }
    DatumPtr expanded = expander_.expand(form, depth);
    if (!expanded) return false;
    out_.push_back(std::move(expanded));
    return true;
  }

  std::vector<DatumPtr> take() { return std::move(out_); }

private:
  Expander &expander_;
  Diagnostics &diags_;
  std::vector<DatumPtr> out_;
};

} // namespace

std::vector<DatumPtr> run_macro_expansion(const std::vector<DatumPtr> &forms, Diagnostics &diags) {
  Expander expander(diags);
  CtInterpreter &ct = expander.interpreter();
  for (const DatumPtr &form : prelude_forms())
    if (auto macro = parse_defmacro(*form, diags)) ct.define_macro(std::move(*macro));
  for (const DatumPtr &form : forms)
    define_written(form, ct, diags);
  if (diags.has_errors()) return {};
  TopLevel top(expander, diags);
  for (const DatumPtr &form : forms)
    if (!top.add(form, false, 0)) break;
  if (diags.has_errors()) return {};
  return top.take();
}

} // namespace xdpchain::compiler
