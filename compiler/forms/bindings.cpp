#include "compiler/forms/bindings.h"

#include "compiler/model/program_model.h"

namespace xdpchain::compiler {

std::optional<BindingParts> parse_binding(const Datum &b) {
  BindingParts parts;
  if (b.is_symbol()) {
    parts.name = &b;
    return parts;
  }
  if (!b.is_list() || b.size() < 1 || b.size() > 3 || !b[0]->is_symbol()) return std::nullopt;
  parts.name = b[0].get();
  if (b.size() == 3) {
    parts.type = b[1].get();
    parts.init = b[2].get();
  } else if (b.size() == 2) {
    if (b[1]->is_symbol() && parse_scalar(b[1]->text))
      parts.type = b[1].get();
    else
      parts.init = b[1].get();
  }
  return parts;
}

namespace {
bool mentions_stack_addr(const Datum &d, const std::string &name) {
  if (!d.is_list()) return false;
  if (d.head_is("stack-addr") && d.size() == 2 && d[1]->is_symbol() && d[1]->text == name)
    return true;
  for (const auto &item : d.items)
    if (mentions_stack_addr(*item, name)) return true;
  return false;
}
} // namespace

bool address_taken_in_body(const Datum &let_form, const std::string &name) {
  for (size_t i = 2; i < let_form.size(); ++i)
    if (mentions_stack_addr(*let_form[i], name)) return true;
  return false;
}

} // namespace xdpchain::compiler
