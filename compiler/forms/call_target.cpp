#include "compiler/forms/call_target.h"

namespace xdpchain::compiler {

std::optional<StructAccessor> find_accessor(const ProgramModel &model, const std::string &name) {
  for (const StructDef &s : model.structs) {
    if (name.size() <= s.name.size() + 1 || name.compare(0, s.name.size(), s.name) != 0 ||
        name[s.name.size()] != '-')
      continue;
    std::string rest = name.substr(s.name.size() + 1);
    if (const StructField *f = s.field(rest)) return StructAccessor{&s, f, false};
    if (rest.size() > 4 && rest.compare(rest.size() - 4, 4, "-ptr") == 0)
      if (const StructField *f = s.field(rest.substr(0, rest.size() - 4)))
        return StructAccessor{&s, f, true};
  }
  return std::nullopt;
}

CallTarget resolve_call(const ProgramModel &model, const std::string &head) {
  CallTarget target;
  if ((target.core = find_core_form(head))) {
    target.kind = CallTarget::Kind::core;
  } else if (auto accessor = find_accessor(model, head)) {
    target.kind = CallTarget::Kind::accessor;
    target.accessor = *accessor;
  } else if (head.rfind("make-", 0) == 0 && (target.made = model.find_struct(head.substr(5)))) {
    target.kind = CallTarget::Kind::make_struct;
  } else if (auto helper = find_helper(head)) {
    target.kind = CallTarget::Kind::helper;
    target.helper = *helper;
  }
  return target;
}

} // namespace xdpchain::compiler
