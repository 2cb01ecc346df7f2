#include "compiler/expand/lambda_list.h"

namespace xdpchain::compiler {

bool check_lambda_list(const Datum &params, Diagnostics &diags, int depth) {
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
    if (!defaults && p.is_list() && !p.items.empty()) {
      // A nested destructuring list.
      if (!check_lambda_list(p, diags, depth + 1)) return false;
      continue;
    }
    diags.error(p.span, "expected a parameter name, found '" + ct_print(p) + "'");
    return false;
  }
  return true;
}

namespace {

class Binder {
public:
  Binder(CtServices &ct, const std::string &what, const Span &call,
         const std::shared_ptr<CtEnv> &env)
      : ct_(ct), what_(what), call_(call), env_(env) {}

  bool bind(const Datum &params, const std::vector<CtValue> &args) {
    enum class Mode { required, optional, rest, key } mode = Mode::required;
    size_t next = 0;
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
          ct_.fail(call_, what_ + ": missing argument '" + ct_print(p) + "'");
          return false;
        }
        if (p.is_list()) {
          const CtValue &arg = args[next];
          if (!arg.datum || !(arg.datum->is_list() || ct_null(*arg.datum))) {
            Span at = arg.datum ? arg.datum->span : call_;
            ct_.fail(at, what_ + ": expected a list for '" + ct_print(p) + "'");
            return false;
          }
          std::vector<CtValue> inner;
          if (arg.datum->is_list())
            for (const DatumPtr &item : arg.datum->items)
              inner.push_back(CtValue::of(item));
          if (!bind(p, inner)) return false;
        } else {
          env_->variables[p.text] = args[next];
        }
        ++next;
        break;
      case Mode::optional:
        if (!bind_default(p, next < args.size() ? &args[next] : nullptr)) return false;
        if (next < args.size()) ++next;
        break;
      case Mode::rest: {
        std::vector<DatumPtr> rest;
        for (; next < args.size(); ++next) {
          if (!args[next].datum) {
            ct_.fail(call_, what_ + ": a function cannot be part of a &rest list");
            return false;
          }
          rest.push_back(args[next].datum);
        }
        DatumPtr list = ct_.make_list(std::move(rest), call_);
        if (!list) return false;
        env_->variables[p.text] = CtValue::of(list);
        break;
      }
      case Mode::key: {
        const std::string &name = p.is_list() ? (*p[0]).text : p.text;
        const CtValue *given = nullptr;
        for (size_t k = next; k + 1 < args.size(); k += 2)
          if (args[k].datum && args[k].datum->is_keyword() && args[k].datum->text == name) {
            given = &args[k + 1];
            break;
          }
        if (!bind_default(p, given)) return false;
        break;
      }
      }
    }
    if (mode == Mode::key) return true; // keyword arguments consume the rest
    if (mode != Mode::rest && next < args.size()) {
      Span at = args[next].datum ? args[next].datum->span : call_;
      ct_.fail(at, what_ + ": too many arguments");
      return false;
    }
    return true;
  }

private:
  // (NAME DEFAULT) or NAME after &optional/&key: the argument, else DEFAULT evaluated.
  bool bind_default(const Datum &p, const CtValue *given) {
    const std::string &name = p.is_list() ? (*p[0]).text : p.text;
    if (given) {
      env_->variables[name] = *given;
      return true;
    }
    if (!p.is_list() || p.size() < 2) {
      env_->variables[name] = CtValue::of(make_symbol("nil", ct_.here(call_)));
      return true;
    }
    CtValue value = ct_.eval(p[1], env_);
    if (!value.ok()) return false;
    env_->variables[name] = value;
    return true;
  }

  CtServices &ct_;
  const std::string &what_;
  const Span &call_;
  std::shared_ptr<CtEnv> env_;
};

} // namespace

bool bind_lambda_list(CtServices &ct, const Datum &params, const std::vector<CtValue> &args,
                      const std::string &what, const Span &call,
                      const std::shared_ptr<CtEnv> &env) {
  return Binder(ct, what, call, env).bind(params, args);
}

} // namespace xdpchain::compiler
