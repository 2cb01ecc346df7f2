#include "compiler/expand/macro.h"

#include "compiler/expand/lambda_list.h"

namespace xdpchain::compiler {

std::optional<MacroDef> parse_defmacro(const Datum &form, Diagnostics &diags) {
  if (form.size() < 4 || !form[1]->is_symbol()) {
    diags.error(form.span, "defmacro: expected (defmacro NAME (PARAMS...) BODY...)");
    return std::nullopt;
  }
  if (!check_lambda_list(*form[2], diags)) return std::nullopt;
  MacroDef macro{form[1]->text, form[2], {}, form.span};
  for (size_t i = 3; i < form.size(); ++i) {
    const DatumPtr &item = form[i];
    bool docstring = item->is_string() && i == 3 && form.size() > 4;
    if (docstring || item->head_is("declare")) continue;
    macro.body.push_back(item);
  }
  return macro;
}

} // namespace xdpchain::compiler
