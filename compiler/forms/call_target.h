// What the head of a call in a program body names, in the one order both the semantic
// check and lowering use: a core form, then a struct accessor or constructor of the
// program's defstructs, then a kernel helper.
#pragma once

#include "compiler/forms/core_forms.h"
#include "compiler/helpers/helpers.h"
#include "compiler/model/program_model.h"

#include <optional>
#include <string>

namespace xdpchain::compiler {

// (NAME-FIELD P) loads a scalar field (or gives the address of an array field);
// (NAME-FIELD-ptr P) gives the field's address.
struct StructAccessor {
  const StructDef *def = nullptr;
  const StructField *field = nullptr;
  bool pointer = false;
  // A scalar field read by value: (setf (NAME-FIELD P) V) can store to it.
  bool assignable() const { return !pointer && field->type.count == 0; }
};
std::optional<StructAccessor> find_accessor(const ProgramModel &model, const std::string &name);

struct CallTarget {
  enum class Kind { core, accessor, make_struct, helper, unknown } kind = Kind::unknown;
  const CoreForm *core = nullptr;
  StructAccessor accessor;
  const StructDef *made = nullptr; // make-NAME
  HelperInfo helper{};
};
CallTarget resolve_call(const ProgramModel &model, const std::string &head);

} // namespace xdpchain::compiler
