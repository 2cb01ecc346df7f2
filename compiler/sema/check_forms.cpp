// The semantic check of expressions: symbols, calls (core forms by the table in
// compiler/forms/core_forms.cpp, struct accessors, helpers) and each operand by its kind.
#include "compiler/sema/checker.h"
#include "compiler/sema/sema.h"

#include "compiler/forms/call_target.h"
#include "compiler/model/program_types.h"

#include <linux/bpf.h>

namespace xdpchain::compiler {

namespace sema {

namespace {

// The name of operand `i` in a usage string: "(load TYPE PTR [OFFSET])", 3 -> "OFFSET".
std::string operand_name(const CoreForm &form, size_t i) {
  std::vector<std::string> words;
  std::string word;
  for (const char *c = form.usage;; ++c) {
    if (*c == ' ' || *c == '\0') {
      if (!word.empty()) words.push_back(word);
      word.clear();
      if (*c == '\0') break;
    } else if (*c != '(' && *c != ')' && *c != '[' && *c != ']' && *c != '.') {
      word += *c;
    }
  }
  return i < words.size() ? words[i] : "operand " + std::to_string(i);
}

const char *kScalarTypes = "u8 u16 u32 u64 i8 i16 i32 i64";

} // namespace

Diagnostic *Checker::error(const Span &span, const std::string &message) {
  if (diags_.errors().size() >= kMaxSemanticErrors) return nullptr;
  Diagnostic &d = diags_.error(span, message);
  if (diags_.errors().size() == kMaxSemanticErrors)
    d.hints.push_back("stopped after " + std::to_string(kMaxSemanticErrors) + " errors");
  return &d;
}

bool Checker::arity(const Datum &d, size_t min, size_t max, const std::string &usage) {
  size_t n = d.size() - 1;
  if (n >= min && (max == kAnyCount || n <= max)) return true;
  error(d.span, d.head() + ": expected " + usage + ", got " + std::to_string(n) + " operand" +
                    (n == 1 ? "" : "s"));
  return false;
}

void Checker::run() {
  scopes_.emplace_back();
  body(program_.body, 0);
}

void Checker::body(const std::vector<DatumPtr> &items, size_t from) {
  for (size_t i = from; i < items.size(); ++i) {
    if (items[i]->is_string() && i + 1 < items.size()) continue; // a docstring
    expr(*items[i]);
  }
}

void Checker::expr(const Datum &d) {
  if (diags_.errors().size() >= kMaxSemanticErrors) return;
  if (depth_ >= kMaxExpressionDepth) { // (the expander already refuses nesting this deep)
    error(d.span, "expression nested too deep (more than " + std::to_string(kMaxExpressionDepth) +
                      " levels)");
    return;
  }
  ++depth_;
  switch (d.kind) {
  case DatumKind::integer:
    break;
  case DatumKind::symbol:
    symbol(d);
    break;
  case DatumKind::list:
    call(d);
    break;
  case DatumKind::keyword:
    error(d.span, "unexpected keyword '" + to_string(d) + "' in an expression");
    break;
  case DatumKind::string:
    error(d.span, "unexpected string in an expression");
    break;
  }
  --depth_;
}

void Checker::symbol(const Datum &d) {
  if (find_variable(d.text) || d.text == "t" || d.text == "nil" || d.text == "ctx") return;
  if (model_.find_map(d.text) >= 0) {
    error(d.span, "map '" + d.text +
                      "' used as a value: maps can only be passed to map operations and helpers");
    return;
  }
  error(d.span, "undefined variable '" + d.text + "'");
}

void Checker::call(const Datum &d) {
  if (d.items.empty()) return; // () is nil
  const std::string &h = d.head();
  if (h.empty()) {
    error(d.span, "expected a form name, found '" + to_string(*d[0]) + "'");
    return;
  }
  CallTarget target = resolve_call(model_, h);
  switch (target.kind) {
  case CallTarget::Kind::core:
    core(d, *target.core);
    return;
  case CallTarget::Kind::accessor:
    if (arity(d, 1, 1, "(" + h + " POINTER)")) expr(*d[1]);
    return;
  case CallTarget::Kind::make_struct:
    arity(d, 0, 0, "(" + h + ")");
    return;
  case CallTarget::Kind::helper:
    helper_call(d, h, target.helper.arg_count);
    return;
  case CallTarget::Kind::unknown:
    error(d.span, "unknown function or form '" + h + "'");
    return;
  }
}

void Checker::helper_call(const Datum &d, const std::string &name, int arg_count) {
  size_t n = d.size() - 1;
  if (n > 5 || (arg_count >= 0 && n != static_cast<size_t>(arg_count))) {
    error(d.span, "helper '" + name + "' takes " +
                      (arg_count >= 0 ? std::to_string(arg_count) : std::string("at most 5")) +
                      " argument" + (arg_count == 1 ? "" : "s") + ", got " + std::to_string(n));
    return;
  }
  for (size_t i = 1; i < d.size(); ++i) {
    const Datum &a = *d[i];
    // A map's name (not shadowed by a variable) is passed as the map's pointer.
    if (a.is_symbol() && !find_variable(a.text) && model_.find_map(a.text) >= 0) continue;
    expr(a);
  }
}

void Checker::core(const Datum &d, const CoreForm &form) {
  if (!form.arity_ok(d.size() - 1)) {
    error(d.span, d.head() + ": expected " + form.usage);
    return;
  }
  switch (form.kind) {
  case FormKind::let:
  case FormKind::let_star:
    return let(d, form.kind == FormKind::let_star);
  case FormKind::dotimes:
    return dotimes(d);
  case FormKind::progn:
    return body(d.items, 1);
  case FormKind::quote:
    if (!d[1]->is_int()) error(d.span, "quoted data has no value in a BPF program");
    return;
  default:
    break;
  }
  for (size_t i = 1; i < d.size(); ++i)
    operand(d, i, form.operand(i), form);
  map_key(d, form);
}

bool Checker::scalar_type(const Datum &type, const std::string &context) {
  if (type.is_symbol() && parse_scalar(type.text)) return true;
  error(type.span, context + "unknown type '" + to_string(type) + "': expected " + kScalarTypes);
  return false;
}

void Checker::operand(const Datum &form, size_t i, Operand kind, const CoreForm &core) {
  const Datum &d = *form[i];
  const std::string &head = form.head();
  switch (kind) {
  case Operand::none:
  case Operand::data:
  case Operand::bindings: // let and dotimes are checked by their own functions
  case Operand::counter:
    return;
  case Operand::expr:
    return expr(d);
  case Operand::literal:
    if (!d.is_int())
      error(d.span, head + ": " + operand_name(core, i) + " must be an integer constant, found '" +
                        to_string(d) + "'");
    return;
  case Operand::byte_count:
    if (!d.is_int() || d.integer < 0 || d.integer > kMaxByteCount)
      error(d.span, head + ": " + operand_name(core, i) +
                        " must be an integer constant from 0 to " + std::to_string(kMaxByteCount) +
                        ", found '" + to_string(d) + "'");
    return;
  case Operand::constant: {
    size_t before = diags_.errors().size();
    expr(d);
    if (diags_.errors().size() != before || is_constant(d)) return; // one error is enough
    if (Diagnostic *e =
            error(d.span, head + ": " + operand_name(core, i) + " must be a constant")) {
      if (core.kind == FormKind::ash) e->hints.push_back("use << or >> to shift by a variable");
    }
    return;
  }
  case Operand::type:
    scalar_type(d, head + ": ");
    return;
  case Operand::atomic_type: {
    auto t = d.is_symbol() ? parse_scalar(d.text) : std::nullopt;
    if (!t || (scalar_size(*t) != 4 && scalar_size(*t) != 8))
      error(d.span, head + ": the type must be u32, u64, i32 or i64, found '" + to_string(d) + "'");
    return;
  }
  case Operand::size_type:
    if (!d.is_symbol() || (!model_.find_struct(d.text) && !parse_scalar(d.text)))
      error(d.span, head + ": '" + to_string(d) + "' is not a defstruct or scalar type");
    return;
  case Operand::map:
  case Operand::prog_array: {
    int map = d.is_symbol() ? model_.find_map(d.text) : -1;
    if (map < 0) {
      error(d.span, "'" + to_string(d) + "' is not a map defined with defmap");
      return;
    }
    if (kind == Operand::prog_array && model_.maps[map].type != BPF_MAP_TYPE_PROG_ARRAY)
      error(d.span, head + ": map '" + d.text + "' is not a :prog-array");
    return;
  }
  case Operand::field: {
    if (d.is_symbol() && find_context_field(*program_.type, d.text)) return;
    Diagnostic *e =
        error(d.span, "'" + to_string(d) + "' is not a field of the :" + program_.type->keyword +
                          " context");
    std::string names;
    for (const auto &f : program_.type->fields)
      names += (names.empty() ? "" : " ") + f.name;
    if (e && !names.empty()) e->hints.push_back("fields: " + names);
    return;
  }
  case Operand::let_variable: {
    const Variable *var = d.is_symbol() ? find_variable(d.text) : nullptr;
    if (!var || !var->addressable)
      error(d.span, head + ": expected a variable bound by let, found '" + to_string(d) + "'");
    return;
  }
  case Operand::place:
    return place(d);
  case Operand::counter_map:
    return counter_map(d, form);
  case Operand::clause:
    return cond_clause(d);
  case Operand::keyed_clause:
    return case_clause(d);
  }
}

// A map whose key is not an integer of 1, 2, 4 or 8 bytes takes a pointer to the key.
void Checker::map_key(const Datum &form, const CoreForm &core) {
  bool by_value = core.kind == FormKind::getmap || core.kind == FormKind::map_lookup ||
                  core.kind == FormKind::map_delete || core.kind == FormKind::map_update;
  const std::string &h = form.head();
  if (!by_value || (h.size() > 4 && h.compare(h.size() - 4, 4, "-ptr") == 0)) return;
  int map = form[1]->is_symbol() ? model_.find_map(form[1]->text) : -1;
  if (map < 0) return;
  const MapDef &m = model_.maps[map];
  bool scalar_key = m.key_struct.empty() && unsigned_scalar_of_size(m.key_size);
  if (scalar_key || !is_constant(*form[2])) return;
  std::string size = std::to_string(m.key_size) + "-byte";
  if (m.key_struct.empty())
    error(form[2]->span, "map '" + m.name + "' has a " + size +
                             " key: pass a pointer to it (e.g. from make-STRUCT)");
  else
    error(form[2]->span, "map '" + m.name + "' has a struct key (" + m.key_struct + ", " + size +
                             "): pass a pointer to one, e.g. from (make-" + m.key_struct + ")");
}

} // namespace sema

bool run_semantic_check(const ProgramModel &model, Diagnostics &diags) {
  size_t before = diags.errors().size();
  for (const ProgramDef &program : model.programs)
    sema::Checker(model, program, diags).run();
  return diags.errors().size() == before;
}

} // namespace xdpchain::compiler
