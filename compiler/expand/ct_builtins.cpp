#include "compiler/expand/ct_builtins.h"

#include <algorithm>
#include <cctype>
#include <limits>

namespace xdpchain::compiler {

namespace {

using Args = std::vector<CtValue>;

CtValue data(CtServices &ct, DatumPtr d) {
  (void)ct;
  return d ? CtValue::of(std::move(d)) : CtValue{};
}
CtValue boolean(CtServices &ct, bool b, const Datum &call) {
  return CtValue::of(make_symbol(b ? "t" : "nil", ct.here(call.span)));
}
CtValue integer(CtServices &ct, int64_t v, const Datum &call) {
  return CtValue::of(make_int(v, ct.here(call.span)));
}
CtValue nil(CtServices &ct, const Datum &call) {
  return boolean(ct, false, call);
}

const std::string &name_of(const Datum &call) {
  return call.head();
}

// The integer arguments, or nullopt after reporting the first one that is not.
bool integers(CtServices &ct, const Args &args, const Datum &call, std::vector<int64_t> &out) {
  for (size_t i = 0; i < args.size(); ++i) {
    if (!args[i].datum->is_int()) {
      ct.fail(call.span,
              name_of(call) + ": expected an integer, got '" + ct_print(*args[i].datum) + "'");
      return false;
    }
    out.push_back(args[i].datum->integer);
  }
  return true;
}

// The items of a proper list argument (nil is the empty list); false after an error.
bool list_items(CtServices &ct, const CtValue &v, const Datum &call,
                const std::vector<DatumPtr> *&out) {
  static const std::vector<DatumPtr> empty;
  if (v.datum && ct_null(*v.datum)) {
    out = &empty;
    return true;
  }
  if (v.datum && v.datum->is_list()) {
    out = &v.datum->items;
    return true;
  }
  ct.fail(call.span, name_of(call) + ": expected a list, got '" +
                         (v.datum ? ct_print(*v.datum) : std::string("a function")) + "'");
  return false;
}

int64_t wrap(uint64_t v) {
  return static_cast<int64_t>(v);
}

CtValue arith(CtServices &ct, const Args &args, const Datum &call) {
  std::vector<int64_t> v;
  if (!integers(ct, args, call, v)) return {};
  const std::string &op = name_of(call);
  if (op == "-" && v.size() == 1) return integer(ct, wrap(0 - static_cast<uint64_t>(v[0])), call);
  uint64_t acc = op == "*" ? 1 : 0;
  for (size_t i = 0; i < v.size(); ++i) {
    uint64_t x = static_cast<uint64_t>(v[i]);
    if (i == 0 && op == "-")
      acc = x;
    else if (op == "+")
      acc += x;
    else if (op == "-")
      acc -= x;
    else
      acc *= x;
  }
  return integer(ct, wrap(acc), call);
}

CtValue divide(CtServices &ct, const Args &args, const Datum &call) {
  std::vector<int64_t> v;
  if (!integers(ct, args, call, v)) return {};
  const std::string &op = name_of(call);
  int64_t a = v[0], b = v[1];
  if (b == 0) return ct.fail(call.span, op + ": division by zero");
  if (a == std::numeric_limits<int64_t>::min() && b == -1)
    return integer(ct, op == "/" ? a : 0, call);
  if (op == "/") return integer(ct, a / b, call); // truncates toward zero
  int64_t r = a % b;
  if (op == "mod" && r != 0 && ((r < 0) != (b < 0))) r += b; // mod takes the divisor's sign
  return integer(ct, r, call);
}

CtValue unary_int(CtServices &ct, const Args &args, const Datum &call) {
  std::vector<int64_t> v;
  if (!integers(ct, args, call, v)) return {};
  const std::string &op = name_of(call);
  uint64_t x = static_cast<uint64_t>(v[0]);
  if (op == "1+") return integer(ct, wrap(x + 1), call);
  if (op == "1-") return integer(ct, wrap(x - 1), call);
  if (op == "abs") return integer(ct, v[0] < 0 ? wrap(0 - x) : v[0], call);
  if (op == "lognot") return integer(ct, wrap(~x), call);
  if (op == "zerop") return boolean(ct, v[0] == 0, call);
  if (op == "plusp") return boolean(ct, v[0] > 0, call);
  if (op == "minusp") return boolean(ct, v[0] < 0, call);
  if (op == "evenp") return boolean(ct, (x & 1) == 0, call);
  return boolean(ct, (x & 1) == 1, call); // oddp
}

CtValue bitwise(CtServices &ct, const Args &args, const Datum &call) {
  std::vector<int64_t> v;
  if (!integers(ct, args, call, v)) return {};
  const std::string &op = name_of(call);
  uint64_t acc = op == "logand" ? ~0ull : 0;
  for (int64_t x : v) {
    if (op == "logand")
      acc &= static_cast<uint64_t>(x);
    else if (op == "logior")
      acc |= static_cast<uint64_t>(x);
    else
      acc ^= static_cast<uint64_t>(x);
  }
  return integer(ct, wrap(acc), call);
}

CtValue ash(CtServices &ct, const Args &args, const Datum &call) {
  std::vector<int64_t> v;
  if (!integers(ct, args, call, v)) return {};
  int64_t x = v[0], s = v[1];
  if (s >= 64) return integer(ct, 0, call);
  if (s >= 0) return integer(ct, wrap(static_cast<uint64_t>(x) << s), call);
  if (s <= -64) return integer(ct, x < 0 ? -1 : 0, call);
  return integer(ct, x >> -s, call);
}

CtValue min_max(CtServices &ct, const Args &args, const Datum &call) {
  std::vector<int64_t> v;
  if (!integers(ct, args, call, v)) return {};
  bool is_min = name_of(call) == "min";
  return integer(
      ct, is_min ? *std::min_element(v.begin(), v.end()) : *std::max_element(v.begin(), v.end()),
      call);
}

CtValue compare(CtServices &ct, const Args &args, const Datum &call) {
  std::vector<int64_t> v;
  if (!integers(ct, args, call, v)) return {};
  const std::string &op = name_of(call);
  bool result = true;
  if (op == "/=") {
    for (size_t i = 0; i < v.size(); ++i)
      for (size_t j = i + 1; j < v.size(); ++j)
        if (v[i] == v[j]) result = false;
    return boolean(ct, result, call);
  }
  for (size_t i = 0; i + 1 < v.size(); ++i) {
    int64_t a = v[i], b = v[i + 1];
    bool ok = op == "="    ? a == b
              : op == "<"  ? a < b
              : op == ">"  ? a > b
              : op == "<=" ? a <= b
                           : a >= b;
    if (!ok) result = false;
  }
  return boolean(ct, result, call);
}

CtValue list(CtServices &ct, const Args &args, const Datum &call) {
  std::vector<DatumPtr> items;
  for (const CtValue &a : args)
    items.push_back(a.datum);
  return data(ct, ct.make_list(std::move(items), ct.here(call.span)));
}

// (list* a b LIST) and (cons a LIST): the leading items in front of a proper list.
CtValue list_star(CtServices &ct, const Args &args, const Datum &call) {
  const Datum &last = *args.back().datum;
  if (!last.is_list() && !ct_null(last))
    return ct.fail(call.span, name_of(call) + ": dotted pairs are not supported; the last "
                                              "argument must be a list, got '" +
                                  ct_print(last) + "'");
  const std::vector<DatumPtr> *tail = nullptr;
  if (!list_items(ct, args.back(), call, tail)) return {};
  std::vector<DatumPtr> items;
  for (size_t i = 0; i + 1 < args.size(); ++i)
    items.push_back(args[i].datum);
  items.insert(items.end(), tail->begin(), tail->end());
  return data(ct, ct.make_list(std::move(items), ct.here(call.span)));
}

CtValue nth_of(CtServices &ct, const CtValue &l, size_t n, const Datum &call) {
  const std::vector<DatumPtr> *items = nullptr;
  if (!list_items(ct, l, call, items)) return {};
  if (n >= items->size()) return nil(ct, call);
  return CtValue::of((*items)[n]);
}

CtValue car(CtServices &ct, const Args &args, const Datum &call) {
  const std::string &op = name_of(call);
  size_t n = op == "second" ? 1 : op == "third" ? 2 : op == "fourth" ? 3 : 0;
  return nth_of(ct, args[0], n, call);
}

CtValue nthcdr_of(CtServices &ct, const CtValue &l, size_t n, const Datum &call) {
  const std::vector<DatumPtr> *items = nullptr;
  if (!list_items(ct, l, call, items)) return {};
  if (n == 0) return l;
  if (n >= items->size()) return nil(ct, call);
  std::vector<DatumPtr> rest(items->begin() + static_cast<long>(n), items->end());
  return data(ct, ct.make_list(std::move(rest), l.datum->span));
}

CtValue cdr(CtServices &ct, const Args &args, const Datum &call) {
  return nthcdr_of(ct, args[0], 1, call);
}

bool index_arg(CtServices &ct, const CtValue &v, const Datum &call, size_t &out) {
  if (!v.datum->is_int() || v.datum->integer < 0) {
    ct.fail(call.span,
            name_of(call) + ": expected a non-negative index, got '" + ct_print(*v.datum) + "'");
    return false;
  }
  out = static_cast<size_t>(v.datum->integer);
  return true;
}

CtValue nth(CtServices &ct, const Args &args, const Datum &call) {
  size_t n = 0;
  if (!index_arg(ct, args[0], call, n)) return {};
  if (name_of(call) == "nthcdr") return nthcdr_of(ct, args[1], n, call);
  return nth_of(ct, args[1], n, call);
}

CtValue last(CtServices &ct, const Args &args, const Datum &call) {
  const std::vector<DatumPtr> *items = nullptr;
  if (!list_items(ct, args[0], call, items)) return {};
  if (items->empty()) return nil(ct, call);
  return data(ct, ct.make_list({items->back()}, ct.here(call.span)));
}

CtValue append(CtServices &ct, const Args &args, const Datum &call) {
  std::vector<DatumPtr> out;
  for (const CtValue &a : args) {
    const std::vector<DatumPtr> *items = nullptr;
    if (!list_items(ct, a, call, items)) return {};
    out.insert(out.end(), items->begin(), items->end());
  }
  return data(ct, ct.make_list(std::move(out), ct.here(call.span)));
}

CtValue reverse(CtServices &ct, const Args &args, const Datum &call) {
  const std::vector<DatumPtr> *items = nullptr;
  if (!list_items(ct, args[0], call, items)) return {};
  std::vector<DatumPtr> out(items->rbegin(), items->rend());
  return data(ct, ct.make_list(std::move(out), ct.here(call.span)));
}

CtValue length(CtServices &ct, const Args &args, const Datum &call) {
  if (args[0].datum->is_string())
    return integer(ct, static_cast<int64_t>(args[0].datum->text.size()), call);
  const std::vector<DatumPtr> *items = nullptr;
  if (!list_items(ct, args[0], call, items)) return {};
  return integer(ct, static_cast<int64_t>(items->size()), call);
}

// (member x list): the tail starting at x, or nil. (assoc key alist): the first pair whose
// car is key, or nil.
CtValue member_assoc(CtServices &ct, const Args &args, const Datum &call) {
  const std::vector<DatumPtr> *items = nullptr;
  if (!list_items(ct, args[1], call, items)) return {};
  bool assoc = name_of(call) == "assoc";
  for (size_t i = 0; i < items->size(); ++i) {
    const Datum &item = *(*items)[i];
    if (assoc) {
      if (item.is_list() && !item.items.empty() && ct_equal(*item.items[0], *args[0].datum))
        return CtValue::of((*items)[i]);
    } else if (ct_equal(item, *args[0].datum)) {
      return nthcdr_of(ct, args[1], i, call);
    }
  }
  return nil(ct, call);
}

CtValue predicate(CtServices &ct, const Args &args, const Datum &call) {
  const std::string &op = name_of(call);
  const CtValue &v = args[0];
  if (op == "functionp") return boolean(ct, v.function != nullptr, call);
  if (!v.datum) return boolean(ct, false, call);
  const Datum &d = *v.datum;
  bool null = ct_null(d);
  if (op == "null" || op == "not") return boolean(ct, null, call);
  if (op == "listp") return boolean(ct, null || d.is_list(), call);
  if (op == "consp") return boolean(ct, !null && d.is_list(), call);
  if (op == "atom") return boolean(ct, null || !d.is_list(), call);
  if (op == "symbolp") return boolean(ct, d.is_symbol() || d.is_keyword() || null, call);
  if (op == "keywordp") return boolean(ct, d.is_keyword(), call);
  if (op == "stringp") return boolean(ct, d.is_string(), call);
  return boolean(ct, d.is_int(), call); // numberp, integerp
}

CtValue equal(CtServices &ct, const Args &args, const Datum &call) {
  if (!args[0].datum || !args[1].datum)
    return boolean(ct, args[0].function && args[0].function == args[1].function, call);
  if (name_of(call) == "string=") {
    const Datum &a = *args[0].datum, &b = *args[1].datum;
    bool named = (a.is_string() || a.is_symbol()) && (b.is_string() || b.is_symbol());
    if (!named) return ct.fail(call.span, "string=: expected strings or symbols");
    return boolean(ct, a.text == b.text, call);
  }
  return boolean(ct, ct_equal(*args[0].datum, *args[1].datum), call);
}

// (format nil CONTROL ARGS...) with ~a ~d ~% ~~ (upper or lower case).
CtValue format(CtServices &ct, const Args &args, const Datum &call) {
  if (!ct_null(*args[0].datum))
    return ct.fail(call.span, "format: only (format nil ...) is supported at compile time");
  if (!args[1].datum->is_string()) return ct.fail(call.span, "format: expected a control string");
  const std::string &control = args[1].datum->text;
  std::string out;
  size_t next = 2;
  for (size_t i = 0; i < control.size(); ++i) {
    if (control[i] != '~') {
      out += control[i];
      continue;
    }
    if (++i >= control.size()) return ct.fail(call.span, "format: '~' at the end of the string");
    char directive = static_cast<char>(std::tolower(static_cast<unsigned char>(control[i])));
    if (directive == '%') {
      out += '\n';
    } else if (directive == '~') {
      out += '~';
    } else if (directive == 'a' || directive == 'd') {
      if (next >= args.size()) return ct.fail(call.span, "format: not enough arguments");
      const Datum &arg = *args[next++].datum;
      if (directive == 'd' && !arg.is_int())
        return ct.fail(call.span, "format: ~d needs an integer, got '" + ct_print(arg) + "'");
      out += ct_princ(arg);
    } else {
      return ct.fail(call.span, std::string("format: unsupported directive '~") + control[i] +
                                    "': expected ~a ~d ~% or ~~");
    }
    if (out.size() > 4096) return ct.fail(call.span, "format: result longer than 4096 bytes");
  }
  if (next < args.size()) return ct.fail(call.span, "format: too many arguments");
  return CtValue::of(make_string(std::move(out), ct.here(call.span)));
}

bool valid_symbol_name(const std::string &name) {
  if (name.empty() || name.size() > 256) return false;
  for (char c : name)
    if (std::isspace(static_cast<unsigned char>(c)) || c == '(' || c == ')' || c == '"' ||
        c == ';' || c == '\'' || c == '`' || c == ',')
      return false;
  return true;
}

// (intern STRING): the symbol with that name; symbols are case-insensitive, so the name is
// lower-cased like the reader does.
CtValue intern(CtServices &ct, const Args &args, const Datum &call) {
  const Datum &s = *args[0].datum;
  if (!s.is_string())
    return ct.fail(call.span, "intern: expected a string, got '" + ct_print(s) + "'");
  std::string name = s.text;
  for (char &c : name)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!valid_symbol_name(name))
    return ct.fail(call.span, "intern: '" + s.text + "' is not a valid symbol name");
  if (name[0] == ':') return CtValue::of(make_keyword(name.substr(1), ct.here(call.span)));
  return CtValue::of(make_symbol(std::move(name), ct.here(call.span)));
}

// (symbol-name SYM) and (string X): the name as a string.
CtValue symbol_name(CtServices &ct, const Args &args, const Datum &call) {
  const Datum &s = *args[0].datum;
  if (s.is_string() && name_of(call) == "string") return args[0];
  if (!s.is_symbol() && !s.is_keyword())
    return ct.fail(call.span, name_of(call) + ": expected a symbol, got '" + ct_print(s) + "'");
  return CtValue::of(make_string(s.text, ct.here(call.span)));
}

// (concatenate 'string A B ...): strings (or symbols, by name) joined.
CtValue concatenate(CtServices &ct, const Args &args, const Datum &call) {
  if (!args[0].datum->is_symbol("string"))
    return ct.fail(call.span, "concatenate: only (concatenate 'string ...) is supported");
  std::string out;
  for (size_t i = 1; i < args.size(); ++i) {
    const Datum &a = *args[i].datum;
    if (!a.is_string() && !a.is_symbol())
      return ct.fail(call.span, "concatenate: expected strings, got '" + ct_print(a) + "'");
    out += a.text;
    if (out.size() > 4096) return ct.fail(call.span, "concatenate: result longer than 4096 bytes");
  }
  return CtValue::of(make_string(std::move(out), ct.here(call.span)));
}

// (gensym [PREFIX]): a fresh symbol. Its name starts with "#:", which the reader never
// produces, so it cannot collide with a name in the program.
CtValue gensym(CtServices &ct, const Args &args, const Datum &call) {
  std::string prefix = "g";
  if (!args.empty()) {
    const Datum &p = *args[0].datum;
    if (!p.is_string() && !p.is_symbol())
      return ct.fail(call.span, "gensym: expected a prefix string, got '" + ct_print(p) + "'");
    prefix = p.text;
    for (char &c : prefix)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!valid_symbol_name(prefix))
      return ct.fail(call.span, "gensym: '" + p.text + "' is not a valid symbol name");
  }
  return CtValue::of(make_symbol(ct.gensym_name(prefix), ct.here(call.span)));
}

// (error CONTROL ARGS...): stops the compilation with that message at the macro call.
CtValue error(CtServices &ct, const Args &args, const Datum &call) {
  Args format_args{CtValue::of(make_symbol("nil", call.span))};
  format_args.insert(format_args.end(), args.begin(), args.end());
  CtValue text = format(ct, format_args, call);
  if (!text.ok()) return {};
  return ct.fail(call.span, text.datum->text);
}

CtValue funcall(CtServices &ct, const Args &args, const Datum &call) {
  return ct.call(args[0], Args(args.begin() + 1, args.end()), call.span);
}

// (apply F a b LIST): F called with a, b and LIST's items.
CtValue apply(CtServices &ct, const Args &args, const Datum &call) {
  const std::vector<DatumPtr> *tail = nullptr;
  if (!list_items(ct, args.back(), call, tail)) return {};
  Args call_args(args.begin() + 1, args.end() - 1);
  for (const DatumPtr &item : *tail)
    call_args.push_back(CtValue::of(item));
  return ct.call(args[0], std::move(call_args), call.span);
}

// (mapcar F LIST...): F applied to the lists' items in step, up to the shortest list.
CtValue mapcar(CtServices &ct, const Args &args, const Datum &call) {
  std::vector<const std::vector<DatumPtr> *> lists;
  size_t n = std::numeric_limits<size_t>::max();
  for (size_t i = 1; i < args.size(); ++i) {
    const std::vector<DatumPtr> *items = nullptr;
    if (!list_items(ct, args[i], call, items)) return {};
    lists.push_back(items);
    n = std::min(n, items->size());
  }
  std::vector<DatumPtr> out;
  for (size_t k = 0; k < n; ++k) {
    Args call_args;
    for (const auto *items : lists)
      call_args.push_back(CtValue::of((*items)[k]));
    CtValue v = ct.call(args[0], std::move(call_args), call.span);
    if (!v.ok()) return {};
    if (!v.datum) return ct.fail(call.span, "mapcar: a function cannot be put in a list");
    out.push_back(v.datum);
  }
  return data(ct, ct.make_list(std::move(out), ct.here(call.span)));
}

CtValue identity(CtServices &, const Args &args, const Datum &) {
  return args[0];
}

const std::vector<CtBuiltinDef> kBuiltins = {
    {"+", 0, -1, false, arith},
    {"-", 1, -1, false, arith},
    {"*", 0, -1, false, arith},
    {"/", 2, 2, false, divide},
    {"mod", 2, 2, false, divide},
    {"rem", 2, 2, false, divide},
    {"1+", 1, 1, false, unary_int},
    {"1-", 1, 1, false, unary_int},
    {"abs", 1, 1, false, unary_int},
    {"lognot", 1, 1, false, unary_int},
    {"zerop", 1, 1, false, unary_int},
    {"plusp", 1, 1, false, unary_int},
    {"minusp", 1, 1, false, unary_int},
    {"evenp", 1, 1, false, unary_int},
    {"oddp", 1, 1, false, unary_int},
    {"logand", 0, -1, false, bitwise},
    {"logior", 0, -1, false, bitwise},
    {"logxor", 0, -1, false, bitwise},
    {"ash", 2, 2, false, ash},
    {"min", 1, -1, false, min_max},
    {"max", 1, -1, false, min_max},
    {"=", 1, -1, false, compare},
    {"/=", 1, -1, false, compare},
    {"<", 1, -1, false, compare},
    {">", 1, -1, false, compare},
    {"<=", 1, -1, false, compare},
    {">=", 1, -1, false, compare},
    {"list", 0, -1, false, list},
    {"list*", 1, -1, false, list_star},
    {"cons", 2, 2, false, list_star},
    {"car", 1, 1, false, car},
    {"first", 1, 1, false, car},
    {"second", 1, 1, false, car},
    {"third", 1, 1, false, car},
    {"fourth", 1, 1, false, car},
    {"cdr", 1, 1, false, cdr},
    {"rest", 1, 1, false, cdr},
    {"nth", 2, 2, false, nth},
    {"nthcdr", 2, 2, false, nth},
    {"last", 1, 1, false, last},
    {"append", 0, -1, false, append},
    {"reverse", 1, 1, false, reverse},
    {"length", 1, 1, false, length},
    {"member", 2, 2, false, member_assoc},
    {"assoc", 2, 2, false, member_assoc},
    {"null", 1, 1, true, predicate},
    {"not", 1, 1, true, predicate},
    {"listp", 1, 1, true, predicate},
    {"consp", 1, 1, true, predicate},
    {"atom", 1, 1, true, predicate},
    {"symbolp", 1, 1, true, predicate},
    {"keywordp", 1, 1, true, predicate},
    {"stringp", 1, 1, true, predicate},
    {"numberp", 1, 1, true, predicate},
    {"integerp", 1, 1, true, predicate},
    {"functionp", 1, 1, true, predicate},
    {"eq", 2, 2, true, equal},
    {"eql", 2, 2, true, equal},
    {"equal", 2, 2, true, equal},
    {"string=", 2, 2, false, equal},
    {"format", 2, -1, false, format},
    {"intern", 1, 1, false, intern},
    {"symbol-name", 1, 1, false, symbol_name},
    {"string", 1, 1, false, symbol_name},
    {"concatenate", 1, -1, false, concatenate},
    {"gensym", 0, 1, false, gensym},
    {"error", 1, -1, false, error},
    {"identity", 1, 1, true, identity},
    {"funcall", 1, -1, true, funcall},
    {"apply", 2, -1, true, apply},
    {"mapcar", 2, -1, true, mapcar},
};

} // namespace

const CtBuiltinDef *find_ct_builtin(const std::string &name) {
  for (const CtBuiltinDef &b : kBuiltins)
    if (name == b.name) return &b;
  return nullptr;
}

const std::vector<CtBuiltinDef> &ct_builtins() {
  return kBuiltins;
}

} // namespace xdpchain::compiler
