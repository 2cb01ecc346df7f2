#include "compiler/expand/desugar.h"

namespace xdpchain::compiler {

namespace {

class Desugar {
public:
  Desugar(const Datum &form, Diagnostics &diags) : form_(form), diags_(diags) {}

  DatumPtr run() {
    const std::string &head = form_.head();
    if (head == "when" || head == "unless") return when_unless(head == "when");
    if (head == "incf" || head == "decf") return incf(head == "decf");
    if (head == "1+" || head == "1-") return one_plus_minus(head == "1-");
    if (head == "when-let") return when_let();
    if (head == "if-let") return if_let();
    return nullptr;
  }

private:
  DatumPtr sym(const char *name) const { return make_symbol(name, form_.span); }
  DatumPtr list(std::vector<DatumPtr> items) const {
    return make_list(std::move(items), form_.span);
  }
  DatumPtr progn(size_t from) const {
    std::vector<DatumPtr> body{sym("progn")};
    body.insert(body.end(), form_.items.begin() + static_cast<long>(from), form_.items.end());
    return list(std::move(body));
  }

  DatumPtr when_unless(bool is_when) {
    if (form_.size() < 2) {
      diags_.error(form_.span, form_.head() + ": expected (" + form_.head() + " TEST BODY...)");
      return nullptr;
    }
    if (is_when) return list({sym("if"), form_[1], progn(2)});
    return list({sym("if"), form_[1], make_int(0, form_.span), progn(2)});
  }

  DatumPtr incf(bool decrement) {
    if (form_.size() < 2 || form_.size() > 3) {
      diags_.error(form_.span, form_.head() + ": expected (" + form_.head() + " PLACE [DELTA])");
      return nullptr;
    }
    if (form_[1]->head_is("getmap")) return nullptr; // an atomic add, lowered as such
    DatumPtr delta = form_.size() == 3 ? form_[2] : make_int(1, form_.span);
    DatumPtr sum = list({sym(decrement ? "-" : "+"), form_[1], delta});
    return list({sym("setf"), form_[1], sum});
  }

  DatumPtr one_plus_minus(bool minus) {
    if (form_.size() != 2) {
      diags_.error(form_.span, form_.head() + ": expected (" + form_.head() + " X)");
      return nullptr;
    }
    return list({sym(minus ? "-" : "+"), form_[1], make_int(1, form_.span)});
  }

  DatumPtr when_let() {
    if (form_.size() < 2 || !form_[1]->is_list()) {
      diags_.error(form_.span, "when-let: expected (when-let ((VAR INIT)...) BODY...)");
      return nullptr;
    }
    DatumPtr inner = progn(2);
    const auto &bindings = form_[1]->items;
    for (size_t i = bindings.size(); i-- > 0;) {
      const DatumPtr &b = bindings[i];
      if (!b->is_list() || b->size() < 2 || b->size() > 3 || !(*b)[0]->is_symbol()) {
        diags_.error(b->span, "when-let: expected a binding (VAR INIT) or (VAR TYPE INIT)");
        return nullptr;
      }
      inner = list({sym("let"), list({b}), list({sym("if"), (*b)[0], inner})});
    }
    return inner;
  }

  DatumPtr if_let() {
    if (form_.size() < 3 || form_.size() > 4 || !form_[1]->is_list() || form_[1]->size() < 2 ||
        form_[1]->size() > 3 || !(*form_[1])[0]->is_symbol()) {
      diags_.error(form_.span, "if-let: expected (if-let (VAR INIT) THEN [ELSE])");
      return nullptr;
    }
    DatumPtr otherwise = form_.size() == 4 ? form_[3] : make_int(0, form_.span);
    return list(
        {sym("let"), list({form_[1]}), list({sym("if"), (*form_[1])[0], form_[2], otherwise})});
  }

  const Datum &form_;
  Diagnostics &diags_;
};

} // namespace

DatumPtr desugar(const Datum &form, Diagnostics &diags) {
  return Desugar(form, diags).run();
}

} // namespace xdpchain::compiler
