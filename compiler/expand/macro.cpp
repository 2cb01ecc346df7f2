#include "compiler/expand/macro.h"

namespace xdpchain::compiler {

namespace {

using Bindings = std::map<std::string, DatumPtr>;

bool check_params(const Datum &params, Diagnostics &diags, int depth = 0) {
  if (!params.is_list()) {
    diags.error(params.span, "macro parameters must be a list");
    return false;
  }
  if (depth > 8) {
    diags.error(params.span, "macro parameter lists nested too deep");
    return false;
  }
  bool defaults = false; // after &optional or &key, lists are (NAME DEFAULT)
  for (size_t i = 0; i < params.size(); ++i) {
    const Datum &p = *params[i];
    if (p.is_symbol("&optional") || p.is_symbol("&key")) defaults = true;
    if (p.is_symbol()) continue;
    if (defaults && p.is_list() && !p.items.empty() && p[0]->is_symbol()) continue;
    if (p.is_list() && !p.items.empty()) {
      // (name default) after &optional/&key, or a nested destructuring list.
      if (!check_params(p, diags, depth + 1)) return false;
      continue;
    }
    diags.error(p.span, "expected a parameter name, found '" + to_string(p) + "'");
    return false;
  }
  return true;
}

class Binder {
public:
  Binder(const Datum &call, Diagnostics &diags) : call_(call), diags_(diags) {}

  // Binds `args` (items[from..]) to `params`; false after reporting an error.
  bool bind(const Datum &params, const std::vector<DatumPtr> &args, size_t from, Bindings &out) {
    enum class Mode { required, optional, rest, key } mode = Mode::required;
    size_t next = from;
    for (size_t i = 0; i < params.size(); ++i) {
      const Datum &p = *params[i];
      if (p.is_symbol("&optional")) {
        mode = Mode::optional;
        continue;
      }
      if (p.is_symbol("&rest") || p.is_symbol("&body")) {
        mode = Mode::rest;
        continue;
      }
      if (p.is_symbol("&key")) {
        mode = Mode::key;
        continue;
      }
      switch (mode) {
      case Mode::required:
        if (next >= args.size()) {
          diags_.error(call_.span,
                       "macro '" + call_.head() + "': missing argument '" + to_string(p) + "'");
          return false;
        }
        if (p.is_list()) {
          if (!args[next]->is_list()) {
            diags_.error(args[next]->span, "macro '" + call_.head() + "': expected a list for '" +
                                               to_string(p) + "'");
            return false;
          }
          if (!bind(p, args[next]->items, 0, out)) return false;
        } else {
          out[p.text] = args[next];
        }
        ++next;
        break;
      case Mode::optional: {
        const Datum &name = p.is_list() ? *p[0] : p;
        if (next < args.size())
          out[name.text] = args[next++];
        else
          out[name.text] = p.is_list() && p.size() > 1 ? p[1] : make_symbol("nil", call_.span);
        break;
      }
      case Mode::rest: {
        std::vector<DatumPtr> rest;
        for (; next < args.size(); ++next)
          rest.push_back(args[next]);
        out[p.text] = make_list(std::move(rest), call_.span);
        break;
      }
      case Mode::key: {
        const Datum &name = p.is_list() ? *p[0] : p;
        DatumPtr value = p.is_list() && p.size() > 1 ? p[1] : make_symbol("nil", call_.span);
        for (size_t k = next; k + 1 < args.size(); k += 2)
          if (args[k]->is_keyword() && args[k]->text == name.text) value = args[k + 1];
        out[name.text] = value;
        break;
      }
      }
    }
    if (mode == Mode::key) return true; // keyword arguments consume the rest
    if (mode != Mode::rest && next < args.size()) {
      diags_.error(args[next]->span, "macro '" + call_.head() + "': too many arguments");
      return false;
    }
    return true;
  }

private:
  const Datum &call_;
  Diagnostics &diags_;
};

class Template {
public:
  Template(const Bindings &bindings, const Span &call_site, Diagnostics &diags)
      : bindings_(bindings), call_site_(std::make_shared<Span>(call_site)), diags_(diags) {}

  DatumPtr eval(const Datum &form) {
    if (form.is_symbol()) {
      auto it = bindings_.find(form.text);
      if (it != bindings_.end()) return it->second;
      if (form.text == "nil" || form.text == "t") return relocate(form);
      diags_.error(form.span, "macro body: '" + form.text + "' is not a parameter");
      return nullptr;
    }
    if (form.head_is("quote") && form.size() == 2) return copy(*form[1]);
    if (form.head_is("quasiquote") && form.size() == 2) return quasi(*form[1]);
    if (!form.is_list()) return relocate(form);
    diags_.error(form.span, "macro bodies are templates: expected a backquoted form, a quoted "
                            "form or a parameter");
    return nullptr;
  }

private:
  // A template node placed at the call site: keeps its own text span, chained to the call.
  DatumPtr relocate(const Datum &d) {
    auto out = std::make_shared<Datum>(d);
    out->span.expanded_from = call_site_;
    return out;
  }

  DatumPtr copy(const Datum &d) {
    if (!d.is_list()) return relocate(d);
    std::vector<DatumPtr> items;
    for (const auto &item : d.items)
      items.push_back(copy(*item));
    Span span = d.span;
    span.expanded_from = call_site_;
    return make_list(std::move(items), span);
  }

  DatumPtr quasi(const Datum &d) {
    if (d.head_is("unquote") && d.size() == 2) return eval(*d[1]);
    if (d.head_is("unquote-splicing")) {
      diags_.error(d.span, "',@' is only allowed inside a list");
      return nullptr;
    }
    if (!d.is_list()) return relocate(d);
    std::vector<DatumPtr> items;
    for (const auto &item : d.items) {
      if (item->head_is("unquote-splicing") && item->size() == 2) {
        DatumPtr spliced = eval(*(*item)[1]);
        if (!spliced) return nullptr;
        if (!spliced->is_list()) {
          if (spliced->is_symbol("nil")) continue;
          diags_.error(item->span, "',@' needs a list, got '" + to_string(*spliced) + "'");
          return nullptr;
        }
        items.insert(items.end(), spliced->items.begin(), spliced->items.end());
        continue;
      }
      DatumPtr out = quasi(*item);
      if (!out) return nullptr;
      items.push_back(std::move(out));
    }
    Span span = d.span;
    span.expanded_from = call_site_;
    return make_list(std::move(items), span);
  }

  const Bindings &bindings_;
  SpanChain call_site_;
  Diagnostics &diags_;
};

} // namespace

std::optional<MacroDef> parse_defmacro(const Datum &form, Diagnostics &diags) {
  if (form.size() < 4 || !form[1]->is_symbol()) {
    diags.error(form.span, "defmacro: expected (defmacro NAME (PARAMS...) BODY)");
    return std::nullopt;
  }
  if (!check_params(*form[2], diags)) return std::nullopt;
  // A docstring may precede the body; the template is the last form.
  return MacroDef{form[1]->text, form[2], form.items.back(), form.span};
}

DatumPtr instantiate_macro(const MacroDef &macro, const Datum &call, Diagnostics &diags) {
  Bindings bindings;
  if (!Binder(call, diags).bind(*macro.params, call.items, 1, bindings)) return nullptr;
  return Template(bindings, call.span, diags).eval(*macro.body);
}

} // namespace xdpchain::compiler
