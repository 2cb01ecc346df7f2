#include "compiler/expand/ct_value.h"

namespace xdpchain::compiler {

const CtValue *CtEnv::find_variable(const std::string &name) const {
  for (const CtEnv *env = this; env; env = env->parent.get()) {
    auto it = env->variables.find(name);
    if (it != env->variables.end()) return &it->second;
  }
  return nullptr;
}

CtFunctionPtr CtEnv::find_function(const std::string &name) const {
  for (const CtEnv *env = this; env; env = env->parent.get()) {
    auto it = env->functions.find(name);
    if (it != env->functions.end()) return it->second;
  }
  return nullptr;
}

CtEnvPtr snapshot(const CtEnvPtr &env) {
  if (!env) return nullptr;
  auto out = std::make_shared<CtEnv>();
  for (const CtEnv *e = env.get(); e; e = e->parent.get()) {
    out->variables.insert(e->variables.begin(), e->variables.end()); // inner ones win
    out->functions.insert(e->functions.begin(), e->functions.end());
  }
  return out;
}

bool ct_null(const Datum &d) {
  return (d.is_list() && d.items.empty()) || d.is_symbol("nil");
}

bool ct_equal(const Datum &a, const Datum &b) {
  if (ct_null(a) || ct_null(b)) return ct_null(a) && ct_null(b);
  if (a.kind != b.kind) return false;
  switch (a.kind) {
  case DatumKind::integer:
    return a.integer == b.integer;
  case DatumKind::symbol:
  case DatumKind::keyword:
  case DatumKind::string:
    return a.text == b.text;
  case DatumKind::list:
    // Iterative over the elements; nesting is bounded by the interpreter's depth limit.
    if (a.items.size() != b.items.size()) return false;
    for (size_t i = 0; i < a.items.size(); ++i)
      if (a.items[i] != b.items[i] && !ct_equal(*a.items[i], *b.items[i])) return false;
    return true;
  }
  return false;
}

namespace {

void print(const Datum &d, bool readable, size_t limit, std::string &out) {
  if (out.size() >= limit) return;
  switch (d.kind) {
  case DatumKind::integer:
    out += std::to_string(d.integer);
    break;
  case DatumKind::symbol:
    out += d.text;
    break;
  case DatumKind::keyword:
    out += ":" + d.text;
    break;
  case DatumKind::string:
    out += readable ? "\"" + d.text + "\"" : d.text;
    break;
  case DatumKind::list:
    out += '(';
    for (size_t i = 0; i < d.items.size(); ++i) {
      if (out.size() >= limit) break;
      if (i) out += ' ';
      print(*d.items[i], readable, limit, out);
    }
    out += ')';
    break;
  }
}

std::string bounded(const Datum &d, bool readable, size_t limit) {
  std::string out;
  print(d, readable, limit, out);
  if (out.size() > limit) out = out.substr(0, limit) + "...";
  return out;
}

} // namespace

std::string ct_print(const Datum &d, size_t limit) {
  return bounded(d, true, limit);
}
std::string ct_princ(const Datum &d, size_t limit) {
  return bounded(d, false, limit);
}

} // namespace xdpchain::compiler
