#include "compiler/expand/ct_eval.h"

#include "compiler/expand/ct_builtins.h"
#include "compiler/expand/lambda_list.h"

namespace xdpchain::compiler {

namespace {

const char *const kSpecialForms[] = {"quote",  "quasiquote", "function", "lambda", "if",  "when",
                                     "unless", "cond",       "case",     "progn",  "let", "let*",
                                     "flet",   "and",        "or",       "declare"};

bool is_special_form(const std::string &name) {
  for (const char *s : kSpecialForms)
    if (name == s) return true;
  return false;
}

// Nodes in a macro's output, counting shared subtrees each time (as the expander walks
// them); stops counting past `limit`.
size_t count_nodes(const Datum &d, size_t limit, int depth = 0) {
  if (!d.is_list()) return 1;
  if (depth > 1000) return limit + 1;
  size_t n = 1;
  for (const DatumPtr &item : d.items) {
    n += count_nodes(*item, limit - std::min(n, limit), depth + 1);
    if (n > limit) break;
  }
  return n;
}

} // namespace

// One evaluation context: the interpreter's state plus the call site that spans of
// computed datums point back to.
class CtEvaluator : public CtServices {
public:
  CtEvaluator(CtInterpreter &ct, const Span &call_site)
      : ct_(ct), call_site_(std::make_shared<Span>(call_site)) {}

  CtValue fail(const Span &at, std::string message) override {
    ct_.error(at, std::move(message));
    return {};
  }

  DatumPtr make_list(std::vector<DatumPtr> items, const Span &at) override {
    ct_.cells_ += items.size() + 1;
    if (ct_.cells_ > ct_.limits_.max_cells) {
      if (!over_budget_) {
        over_budget_ = true;
        ct_.error(at, "compile-time evaluation built more than " +
                          std::to_string(ct_.limits_.max_cells) + " list cells")
            .hints.push_back("a macro or helper function probably builds lists without end");
      }
      return nullptr;
    }
    return xdpchain::compiler::make_list(std::move(items), at);
  }

  Span here(const Span &at) const override {
    Span out = at;
    if (!out.expanded_from) out.expanded_from = call_site_;
    return out;
  }

  std::string gensym_name(const std::string &prefix) override {
    return "#:" + prefix + std::to_string(++ct_.gensyms_);
  }

  CtValue eval(const DatumPtr &form, const CtEnvPtr &env) override {
    if (over_budget_) return {};
    if (++ct_.steps_ > ct_.limits_.max_steps) {
      over_budget_ = true;
      ct_.error(form->span, "compile-time evaluation took more than " +
                                std::to_string(ct_.limits_.max_steps) + " steps")
          .hints.push_back("a macro or helper function probably never stops");
      return {};
    }
    if (depth_ >= ct_.limits_.max_depth) {
      over_budget_ = true;
      ct_.error(form->span, "compile-time evaluation nested more than " +
                                std::to_string(ct_.limits_.max_depth) + " deep")
          .hints.push_back("a helper function probably calls itself without end");
      return {};
    }
    ++depth_;
    CtValue out = eval_form(form, env);
    --depth_;
    return out;
  }

  CtValue call(const CtValue &function, std::vector<CtValue> args, const Span &at) override {
    if (!function.function) {
      std::string shown = function.datum ? ct_print(*function.datum) : "?";
      return fail(at, "'" + shown + "' is not a function");
    }
    const CtFunction &f = *function.function;
    if (f.builtin) {
      DatumPtr name = xdpchain::compiler::make_list({make_symbol(f.builtin->name, at)}, at);
      return call_builtin(*f.builtin, args, *name);
    }
    return call_defined(f, args, at);
  }

  // The macro's body, its parameters bound to the call's (unevaluated) arguments.
  CtValue run_macro(const MacroDef &macro, const Datum &call) {
    auto env = std::make_shared<CtEnv>();
    std::vector<CtValue> args;
    for (size_t i = 1; i < call.size(); ++i)
      args.push_back(CtValue::of(call[i]));
    if (!bind_lambda_list(*this, *macro.params, args, "macro '" + macro.name + "'", call.span, env))
      return {};
    return progn(macro.body, 0, env);
  }

private:
  CtValue eval_form(const DatumPtr &form, const CtEnvPtr &env) {
    const Datum &d = *form;
    if (d.is_symbol()) return variable(d, env);
    if (!d.is_list()) return CtValue::of(relocate(form));
    if (d.items.empty()) return CtValue::of(relocate(form));
    if (!d[0]->is_symbol())
      return fail(d.span,
                  "compile-time call: expected a function name, found '" + ct_print(*d[0]) + "'");
    const std::string &head = d.head();
    if (is_special_form(head)) return special_form(d, env);
    if (CtFunctionPtr local = env ? env->find_function(head) : nullptr)
      return call_with_args(CtValue::of(local), d, env);
    auto global = ct_.functions_.find(head);
    if (global != ct_.functions_.end()) return call_with_args(CtValue::of(global->second), d, env);
    if (const CtBuiltinDef *builtin = find_ct_builtin(head)) {
      std::vector<CtValue> args;
      if (!eval_args(d, env, args)) return {};
      return call_builtin(*builtin, args, d);
    }
    if (const MacroDef *macro = ct_.find_macro(head)) {
      // A macro call in compile-time code: expand it, then evaluate the expansion.
      CtInterpreter::CallScope scope(ct_, macro->name, d.span);
      if (scope.too_deep()) return {};
      CtEvaluator inner(ct_, d.span);
      inner.depth_ = depth_;
      CtValue expansion = inner.run_macro(*macro, d);
      if (!expansion.ok()) return {};
      if (!expansion.datum) return fail(d.span, "macro '" + head + "' expanded into a function");
      return eval(expansion.datum, env);
    }
    Diagnostic &error = ct_.error(d.span, "'" + head + "' is not a compile-time function or macro");
    error.hints.push_back("macro bodies run at compile time; to produce code, backquote it: "
                          "`(" +
                          head + " ...)");
    return {};
  }

  CtValue variable(const Datum &d, const CtEnvPtr &env) {
    if (d.text == "nil" || d.text == "t") return CtValue::of(relocate_datum(d));
    if (const CtValue *v = env ? env->find_variable(d.text) : nullptr) return *v;
    return fail(d.span, "macro body: '" + d.text + "' is not a parameter or a variable");
  }

  bool eval_args(const Datum &d, const CtEnvPtr &env, std::vector<CtValue> &out) {
    for (size_t i = 1; i < d.size(); ++i) {
      CtValue v = eval(d[i], env);
      if (!v.ok()) return false;
      out.push_back(std::move(v));
    }
    return true;
  }

  CtValue call_with_args(const CtValue &function, const Datum &d, const CtEnvPtr &env) {
    std::vector<CtValue> args;
    if (!eval_args(d, env, args)) return {};
    return call(function, std::move(args), d.span);
  }

  CtValue call_builtin(const CtBuiltinDef &b, const std::vector<CtValue> &args, const Datum &call) {
    int n = static_cast<int>(args.size());
    if (n < b.min_args || (b.max_args >= 0 && n > b.max_args)) {
      std::string expected = b.max_args < 0 ? "at least " + std::to_string(b.min_args)
                             : b.min_args == b.max_args
                                 ? std::to_string(b.min_args)
                                 : std::to_string(b.min_args) + " to " + std::to_string(b.max_args);
      return fail(call.span, std::string(b.name) + ": expected " + expected + " argument" +
                                 (expected == "1" ? "" : "s") + ", got " + std::to_string(n));
    }
    if (!b.takes_functions)
      for (const CtValue &a : args)
        if (!a.datum) return fail(call.span, std::string(b.name) + ": a function is not data");
    return b.fn(*this, args, call);
  }

  CtValue call_defined(const CtFunction &f, const std::vector<CtValue> &args, const Span &at) {
    auto env = std::make_shared<CtEnv>();
    env->parent = f.closure;
    if (!bind_lambda_list(*this, *f.params, args, "function '" + f.name + "'", at, env)) return {};
    return progn(f.body, 0, env);
  }

  CtValue progn(const std::vector<DatumPtr> &forms, size_t from, const CtEnvPtr &env) {
    CtValue last = CtValue::of(make_symbol("nil", *call_site_));
    for (size_t i = from; i < forms.size(); ++i) {
      last = eval(forms[i], env);
      if (!last.ok()) return {};
    }
    return last;
  }

  bool arity(const Datum &d, size_t min, size_t max, const char *shape) {
    if (d.size() - 1 >= min && d.size() - 1 <= max) return true;
    fail(d.span, d.head() + ": expected " + shape);
    return false;
  }

  bool truth(const DatumPtr &form, const CtEnvPtr &env, bool &out) {
    CtValue v = eval(form, env);
    if (!v.ok()) return false;
    out = v.function || ct_true(*v.datum);
    return true;
  }

  CtValue special_form(const Datum &d, const CtEnvPtr &env) {
    const std::string &h = d.head();
    constexpr size_t any = SIZE_MAX;
    if (h == "quote") {
      if (!arity(d, 1, 1, "(quote X)")) return {};
      return CtValue::of(relocate(d[1]));
    }
    if (h == "quasiquote") {
      if (!arity(d, 1, 1, "(quasiquote X)")) return {};
      DatumPtr out = quasi(d[1], env, 1);
      return out ? CtValue::of(out) : CtValue{};
    }
    if (h == "function") {
      if (!arity(d, 1, 1, "#'NAME or #'(lambda ...)")) return {};
      if (d[1]->head_is("lambda")) return eval(d[1], env);
      return function_named(*d[1], env);
    }
    if (h == "lambda") {
      if (d.size() < 2 || !d[1]->is_list())
        return fail(d.span, "lambda: expected (lambda (PARAMS...) BODY...)");
      return make_function("lambda", d, 1, env);
    }
    if (h == "if") {
      if (!arity(d, 2, 3, "(if TEST THEN [ELSE])")) return {};
      bool test = false;
      if (!truth(d[1], env, test)) return {};
      if (test) return eval(d[2], env);
      return d.size() == 4 ? eval(d[3], env) : CtValue::of(make_symbol("nil", here(d.span)));
    }
    if (h == "when" || h == "unless") {
      if (!arity(d, 1, any, "(when TEST BODY...)")) return {};
      bool test = false;
      if (!truth(d[1], env, test)) return {};
      if (test == (h == "when")) return progn(d.items, 2, env);
      return CtValue::of(make_symbol("nil", here(d.span)));
    }
    if (h == "progn") return progn(d.items, 1, env);
    if (h == "and" || h == "or") {
      bool is_and = h == "and";
      CtValue last = CtValue::of(make_symbol(is_and ? "t" : "nil", here(d.span)));
      for (size_t i = 1; i < d.size(); ++i) {
        last = eval(d[i], env);
        if (!last.ok()) return {};
        bool t = last.function || ct_true(*last.datum);
        if (t != is_and) return last;
      }
      return last;
    }
    if (h == "cond") return cond(d, env);
    if (h == "case") return case_(d, env);
    if (h == "let" || h == "let*") return let(d, env, h == "let*");
    if (h == "flet") return flet(d, env);
    return CtValue::of(make_symbol("nil", here(d.span))); // declare
  }

  CtValue cond(const Datum &d, const CtEnvPtr &env) {
    for (size_t i = 1; i < d.size(); ++i) {
      const Datum &clause = *d[i];
      if (!clause.is_list() || clause.items.empty())
        return fail(clause.span, "cond: expected a clause (TEST BODY...)");
      CtValue test = eval(clause[0], env);
      if (!test.ok()) return {};
      if (!test.function && !ct_true(*test.datum)) continue;
      if (clause.size() == 1) return test;
      return progn(clause.items, 1, env);
    }
    return CtValue::of(make_symbol("nil", here(d.span)));
  }

  CtValue case_(const Datum &d, const CtEnvPtr &env) {
    if (d.size() < 2) return fail(d.span, "case: expected (case KEY (KEYS BODY...)...)");
    CtValue key = eval(d[1], env);
    if (!key.ok()) return {};
    if (!key.datum) return fail(d.span, "case: the key is a function");
    for (size_t i = 2; i < d.size(); ++i) {
      const Datum &clause = *d[i];
      if (!clause.is_list() || clause.items.empty())
        return fail(clause.span, "case: expected a clause (KEYS BODY...)");
      const Datum &keys = *clause[0];
      bool match = keys.is_symbol("t") || keys.is_symbol("otherwise");
      if (!match && keys.is_list()) {
        for (const DatumPtr &k : keys.items)
          match = match || ct_equal(*k, *key.datum);
      } else if (!match) {
        match = ct_equal(keys, *key.datum);
      }
      if (match) return progn(clause.items, 1, env);
    }
    return CtValue::of(make_symbol("nil", here(d.span)));
  }

  CtValue let(const Datum &d, const CtEnvPtr &env, bool sequential) {
    if (d.size() < 2 || !(d[1]->is_list() || d[1]->is_symbol("nil")))
      return fail(d.span, d.head() + ": expected (" + d.head() + " ((VAR INIT)...) BODY...)");
    auto scope = std::make_shared<CtEnv>();
    scope->parent = env;
    for (const DatumPtr &binding : d[1]->items) {
      const Datum &b = *binding;
      const Datum *name = b.is_symbol() ? &b : nullptr;
      if (b.is_list() && (b.size() == 1 || b.size() == 2) && b[0]->is_symbol()) name = b[0].get();
      if (!name || name->is_symbol("nil") || name->is_symbol("t"))
        return fail(b.span, d.head() + ": expected a binding VAR or (VAR INIT)");
      CtValue value = CtValue::of(make_symbol("nil", here(b.span)));
      if (b.is_list() && b.size() == 2) {
        value = eval(b[1], sequential ? CtEnvPtr(scope) : env);
        if (!value.ok()) return {};
      }
      scope->variables[name->text] = value;
    }
    return progn(d.items, 2, scope);
  }

  // (flet ((NAME (PARAMS...) BODY...)...) BODY...): local helper functions.
  CtValue flet(const Datum &d, const CtEnvPtr &env) {
    if (d.size() < 2 || !d[1]->is_list())
      return fail(d.span, "flet: expected (flet ((NAME (PARAMS...) BODY...)...) BODY...)");
    auto scope = std::make_shared<CtEnv>();
    scope->parent = env;
    for (const DatumPtr &def : d[1]->items) {
      if (!def->is_list() || def->size() < 2 || !(*def)[0]->is_symbol() || !(*def)[1]->is_list())
        return fail(def->span, "flet: expected a function (NAME (PARAMS...) BODY...)");
      CtValue f = make_function((*def)[0]->text, *def, 1, env);
      if (!f.ok()) return {};
      scope->functions[(*def)[0]->text] = f.function;
    }
    return progn(d.items, 2, scope);
  }

  CtValue make_function(const std::string &name, const Datum &d, size_t params_at,
                        const CtEnvPtr &env) {
    Diagnostics local;
    if (!check_lambda_list(*d[params_at], local)) {
      const Diagnostic &e = local.errors().front();
      return fail(e.span, name + ": " + e.message);
    }
    auto f = std::make_shared<CtFunction>();
    f->name = name;
    f->params = d[params_at];
    f->body.assign(d.items.begin() + static_cast<long>(params_at) + 1, d.items.end());
    f->closure = snapshot(env);
    return CtValue::of(CtFunctionPtr(f));
  }

  CtValue function_named(const Datum &name, const CtEnvPtr &env) {
    if (!name.is_symbol()) return fail(name.span, "function: expected a function name");
    if (CtFunctionPtr local = env ? env->find_function(name.text) : nullptr)
      return CtValue::of(local);
    auto global = ct_.functions_.find(name.text);
    if (global != ct_.functions_.end()) return CtValue::of(global->second);
    if (const CtBuiltinDef *b = find_ct_builtin(name.text)) {
      auto f = std::make_shared<CtFunction>();
      f->name = b->name;
      f->builtin = b;
      return CtValue::of(CtFunctionPtr(f));
    }
    return fail(name.span, "'" + name.text + "' is not a compile-time function");
  }

  // Quasiquote at nesting `level`: unquotes of level 1 are evaluated, inner backquotes
  // keep theirs as data.
  DatumPtr quasi(const DatumPtr &form, const CtEnvPtr &env, int level) {
    const Datum &d = *form;
    if (d.head_is("unquote") && d.size() == 2) {
      if (level == 1) {
        CtValue v = eval(d[1], env);
        if (!v.ok()) return nullptr;
        if (!v.datum) return fail(d.span, "',' of a function: only data can go into code"), nullptr;
        return v.datum;
      }
      return rebuild(d, quasi(d[1], env, level - 1));
    }
    if (d.head_is("unquote-splicing") && level == 1)
      return fail(d.span, "',@' is only allowed inside a list"), nullptr;
    if (d.head_is("quasiquote") && d.size() == 2) return rebuild(d, quasi(d[1], env, level + 1));
    if (!d.is_list()) return relocate(form);
    std::vector<DatumPtr> items;
    for (const DatumPtr &item : d.items) {
      if (item->head_is("unquote-splicing") && item->size() == 2 && level == 1) {
        CtValue v = eval((*item)[1], env);
        if (!v.ok()) return nullptr;
        if (!v.datum || !(v.datum->is_list() || ct_null(*v.datum))) {
          std::string shown = v.datum ? ct_print(*v.datum) : "a function";
          return fail(item->span, "',@' needs a list, got '" + shown + "'"), nullptr;
        }
        if (v.datum->is_list())
          items.insert(items.end(), v.datum->items.begin(), v.datum->items.end());
        continue;
      }
      DatumPtr out = quasi(item, env, level);
      if (!out) return nullptr;
      items.push_back(std::move(out));
    }
    return make_list(std::move(items), here(d.span));
  }

  // (unquote X) or (quasiquote X) with X replaced, inside a nested backquote.
  DatumPtr rebuild(const Datum &d, DatumPtr inner) {
    if (!inner) return nullptr;
    return make_list({relocate(d[0]), std::move(inner)}, here(d.span));
  }

  // A datum of the macro definition placed at the call site (keeps its own text span).
  DatumPtr relocate(const DatumPtr &d) {
    if (d->span.expanded_from) return d; // already placed (an argument or a computed value)
    if (!d->is_list()) return relocate_datum(*d);
    std::vector<DatumPtr> items;
    for (const DatumPtr &item : d->items)
      items.push_back(relocate(item));
    DatumPtr out = make_list(std::move(items), here(d->span));
    return out ? out : xdpchain::compiler::make_list({}, here(d->span));
  }

  DatumPtr relocate_datum(const Datum &d) {
    auto out = std::make_shared<Datum>(d);
    out->span = here(d.span);
    return out;
  }

  CtInterpreter &ct_;
  SpanChain call_site_;
  int depth_ = 0;
  bool over_budget_ = false;
};

CtInterpreter::CtInterpreter(Diagnostics &diags, CtLimits limits)
    : diags_(diags), limits_(limits) {}
CtInterpreter::~CtInterpreter() = default;

void CtInterpreter::define_macro(MacroDef macro) {
  std::string name = macro.name;
  macros_[name] = std::move(macro);
}

const MacroDef *CtInterpreter::find_macro(const std::string &name) const {
  auto it = macros_.find(name);
  return it == macros_.end() ? nullptr : &it->second;
}

bool CtInterpreter::define_function(const Datum &defun) {
  if (!defun.head_is("defun") || defun.size() < 3 || !defun[1]->is_symbol() ||
      !defun[2]->is_list()) {
    diags_.error(defun.span, "eval-when: expected (defun NAME (PARAMS...) BODY...)");
    return false;
  }
  const std::string &name = defun[1]->text;
  if (is_special_form(name) || find_ct_builtin(name)) {
    diags_.error(defun[1]->span,
                 "defun '" + name + "': a built-in compile-time form has this name");
    return false;
  }
  if (!check_lambda_list(*defun[2], diags_)) return false;
  auto f = std::make_shared<CtFunction>();
  f->name = name;
  f->params = defun[2];
  for (size_t i = 3; i < defun.size(); ++i) {
    bool docstring = defun[i]->is_string() && i == 3 && defun.size() > 4;
    if (!docstring && !defun[i]->head_is("declare")) f->body.push_back(defun[i]);
  }
  functions_[name] = f;
  return true;
}

DatumPtr CtInterpreter::expand_macro(const MacroDef &macro, const Datum &call) {
  CallScope scope(*this, macro.name, call.span);
  if (scope.too_deep()) return nullptr;
  CtEvaluator evaluator(*this, call.span);
  CtValue out = evaluator.run_macro(macro, call);
  if (!out.ok()) return nullptr;
  if (!out.datum) {
    error(call.span, "macro '" + macro.name + "' expanded into a function, not code");
    return nullptr;
  }
  if (count_nodes(*out.datum, limits_.max_output) > limits_.max_output) {
    error(call.span, "macro '" + macro.name + "' expanded into more than " +
                         std::to_string(limits_.max_output) + " forms")
        .hints.push_back("a macro probably duplicates its output without end");
    return nullptr;
  }
  return out.datum;
}

CtInterpreter::CallScope::CallScope(CtInterpreter &ct, const std::string &macro, const Span &at)
    : ct_(ct), too_deep_(false) {
  ct_.chain_.push_back({macro, at});
  if (static_cast<int>(ct_.chain_.size()) > ct_.limits_.max_macro_nesting) {
    too_deep_ = true;
    ct_.error(at, "macro expansion nested more than " +
                      std::to_string(ct_.limits_.max_macro_nesting) + " deep")
        .hints.push_back("a macro probably expands into a call of itself");
  }
}

CtInterpreter::CallScope::~CallScope() {
  ct_.chain_.pop_back();
}

Diagnostic &CtInterpreter::error(const Span &at, std::string message) {
  Diagnostic &d = diags_.error(at, std::move(message));
  // The innermost call first; a long chain is shortened in the middle.
  size_t n = chain_.size();
  for (size_t i = n; i-- > 0;) {
    if (n > 12 && i < n - 6 && i >= 5) {
      if (i == n - 7)
        d.notes.push_back({chain_[i].at, "... " + std::to_string(n - 11) + " more macro calls"});
      continue;
    }
    d.notes.push_back({chain_[i].at, "in the expansion of macro '" + chain_[i].macro + "'"});
  }
  return d;
}

} // namespace xdpchain::compiler
