#include "compiler/fold/fold_constants.h"

#include "compiler/fold/builtin_constants.h"

#include <map>

namespace xdpchain::compiler {

namespace {

uint64_t bswap(uint64_t v, int bits) {
  uint64_t out = 0;
  for (int i = 0; i < bits / 8; ++i)
    out = (out << 8) | ((v >> (8 * i)) & 0xff);
  return out;
}

class Folder {
public:
  explicit Folder(Diagnostics &diags) : diags_(diags) {}

  std::vector<DatumPtr> run(const std::vector<DatumPtr> &forms) {
    std::vector<DatumPtr> out;
    for (const DatumPtr &form : forms) {
      if (form->head_is("defconstant")) {
        define(*form);
        continue;
      }
      DatumPtr folded = fold(form);
      if (folded) out.push_back(std::move(folded));
    }
    return out;
  }

private:
  void define(const Datum &form) {
    if (form.size() != 3 || !form[1]->is_symbol()) {
      diags_.error(form.span, "defconstant: expected (defconstant NAME INTEGER-EXPR)");
      return;
    }
    DatumPtr value = fold(form[2]);
    if (!value) return;
    if (!value->is_int()) {
      diags_.error(form[2]->span,
                   "defconstant '" + form[1]->text + "': expected an integer constant expression");
      return;
    }
    constants_[form[1]->text] = value->integer;
  }

  DatumPtr fold(const DatumPtr &form) {
    if (form->is_symbol()) {
      auto it = constants_.find(form->text);
      if (it != constants_.end()) return make_int(it->second, form->span);
      if (auto value = builtin_constant(form->text)) return make_int(*value, form->span);
      return form;
    }
    if (!form->is_list() || form->head_is("quote") || form->head_is("declare")) return form;
    std::vector<DatumPtr> items;
    items.reserve(form->size());
    for (size_t i = 0; i < form->size(); ++i) {
      // Heads are folded too: `case` clauses may start with a constant name.
      DatumPtr item = fold((*form)[i]);
      if (!item) return nullptr;
      items.push_back(std::move(item));
    }
    const std::string &op = form->head();
    if (!op.empty() && items.size() >= 2) {
      std::vector<int64_t> args;
      for (size_t i = 1; i < items.size() && items[i]->is_int(); ++i)
        args.push_back(items[i]->integer);
      if (args.size() == items.size() - 1) {
        if (auto value = fold_operator(op, args, form->span, diags_))
          return make_int(*value, form->span);
        if (diags_.has_errors()) return nullptr;
      }
    }
    return make_list(std::move(items), form->span);
  }

  Diagnostics &diags_;
  std::map<std::string, int64_t> constants_;
};

} // namespace

std::optional<int64_t> fold_operator(const std::string &op, const std::vector<int64_t> &args,
                                     const Span &span, Diagnostics &diags) {
  auto u = [&](size_t i) { return static_cast<uint64_t>(args[i]); };
  auto s = [&](size_t i) { return args[i]; };
  auto b = [](bool v) -> int64_t { return v ? 1 : 0; };
  auto reduce = [&](auto f) {
    uint64_t acc = u(0);
    for (size_t i = 1; i < args.size(); ++i)
      acc = f(acc, u(i));
    return static_cast<int64_t>(acc);
  };
  size_t n = args.size();
  if (op == "+") return reduce([](uint64_t a, uint64_t c) { return a + c; });
  if (op == "*") return reduce([](uint64_t a, uint64_t c) { return a * c; });
  if (op == "logand") return reduce([](uint64_t a, uint64_t c) { return a & c; });
  if (op == "logior") return reduce([](uint64_t a, uint64_t c) { return a | c; });
  if (op == "logxor") return reduce([](uint64_t a, uint64_t c) { return a ^ c; });
  if (op == "-") {
    if (n == 1) return static_cast<int64_t>(0 - u(0));
    return reduce([](uint64_t a, uint64_t c) { return a - c; });
  }
  if ((op == "/" || op == "mod") && n == 2) {
    if (u(1) == 0) {
      diags.error(span, "division by zero in a constant expression");
      return std::nullopt;
    }
    return static_cast<int64_t>(op == "/" ? u(0) / u(1) : u(0) % u(1));
  }
  if (op == "lognot" && n == 1) return static_cast<int64_t>(~u(0));
  if ((op == "<<" || op == ">>" || op == ">>>") && n == 2) {
    uint64_t sh = u(1) & 63;
    if (op == "<<") return static_cast<int64_t>(u(0) << sh);
    if (op == ">>") return static_cast<int64_t>(u(0) >> sh);
    return s(0) >> sh;
  }
  if (op == "ash" && n == 2) {
    if (s(1) >= 0) return static_cast<int64_t>(u(0) << (s(1) & 63));
    return s(0) >> ((-s(1)) & 63);
  }
  if (n == 2) {
    if (op == "=") return b(u(0) == u(1));
    if (op == "/=") return b(u(0) != u(1));
    if (op == "<") return b(u(0) < u(1));
    if (op == "<=") return b(u(0) <= u(1));
    if (op == ">") return b(u(0) > u(1));
    if (op == ">=") return b(u(0) >= u(1));
    if (op == "s<") return b(s(0) < s(1));
    if (op == "s<=") return b(s(0) <= s(1));
    if (op == "s>") return b(s(0) > s(1));
    if (op == "s>=") return b(s(0) >= s(1));
  }
  if (n == 1) {
    if (op == "not") return b(u(0) == 0);
    if (op == "ntohs" || op == "htons") return static_cast<int64_t>(bswap(u(0), 16));
    if (op == "ntohl" || op == "htonl") return static_cast<int64_t>(bswap(u(0), 32));
    if (op == "ntohll" || op == "htonll") return static_cast<int64_t>(bswap(u(0), 64));
  }
  return std::nullopt;
}

} // namespace xdpchain::compiler

namespace xdpchain::compiler {

std::vector<DatumPtr> run_fold_constants(const std::vector<DatumPtr> &forms, Diagnostics &diags) {
  return Folder(diags).run(forms);
}

} // namespace xdpchain::compiler
