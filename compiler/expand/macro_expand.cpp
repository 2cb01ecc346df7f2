#include "compiler/expand/macro_expand.h"

#include "compiler/expand/macro.h"
#include "compiler/expand/prelude.h"

#include <map>

namespace xdpchain::compiler {

namespace {

constexpr int kMaxExpansionDepth = 64;
constexpr size_t kMaxExpansions = 20000;

class Expander {
public:
  explicit Expander(Diagnostics &diags) : diags_(diags) {}

  void define(const MacroDef &macro) { macros_[macro.name] = macro; }
  bool defined(const std::string &name) const { return macros_.count(name) != 0; }

  DatumPtr expand(const DatumPtr &form, int depth) {
    if (!form || !form->is_list() || form->items.empty()) return form;
    if (depth > kMaxExpansionDepth) {
      diags_
          .error(form->span,
                 "macro expansion nested more than " + std::to_string(kMaxExpansionDepth) + " deep")
          .hints.push_back("a macro probably expands into a call of itself");
      return nullptr;
    }
    const std::string &head = form->head();
    if (head == "quote") return form;
    if (DatumPtr out = expand_builtin(*form)) return expand(out, depth + 1);
    if (diags_.has_errors()) return nullptr;
    auto macro = macros_.find(head);
    if (macro != macros_.end()) {
      if (++expansions_ > kMaxExpansions) {
        diags_.error(form->span, "too many macro expansions");
        return nullptr;
      }
      DatumPtr out = instantiate_macro(macro->second, *form, diags_);
      if (!out) return nullptr;
      return expand(out, depth + 1);
    }
    if (head == "let" || head == "let*") return expand_let(form, depth);
    if (head == "dotimes") return expand_from(form, 1, depth, /*binding_at=*/1);
    if (head == "declare") return form;
    return expand_from(form, 0, depth, -1);
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
  std::map<std::string, MacroDef> macros_;
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

} // namespace

std::vector<DatumPtr> run_macro_expansion(const std::vector<DatumPtr> &forms, Diagnostics &diags) {
  Expander expander(diags);
  for (const DatumPtr &form : prelude_forms())
    if (auto macro = parse_defmacro(*form, diags)) expander.define(*macro);
  std::vector<DatumPtr> rest;
  for (const DatumPtr &form : forms) {
    if (form->head_is("defmacro")) {
      if (auto macro = parse_defmacro(*form, diags)) expander.define(*macro);
    } else if (!form->head_is("in-package")) {
      rest.push_back(form);
    }
  }
  std::vector<DatumPtr> out;
  for (const DatumPtr &form : rest) {
    DatumPtr expanded = expander.expand(form, 0);
    if (!expanded) break;
    flatten_progn(expanded, out);
  }
  return out;
}

} // namespace xdpchain::compiler
