#include "compiler/model/collect_definitions.h"

#include <linux/bpf.h>

#include <set>

namespace xdpchain::compiler {

namespace {

struct MapTypeName {
  const char *keyword;
  uint32_t type;
};

const MapTypeName kMapTypes[] = {
    {"hash", BPF_MAP_TYPE_HASH},
    {"array", BPF_MAP_TYPE_ARRAY},
    {"prog-array", BPF_MAP_TYPE_PROG_ARRAY},
    {"percpu-hash", BPF_MAP_TYPE_PERCPU_HASH},
    {"percpu-array", BPF_MAP_TYPE_PERCPU_ARRAY},
    {"lru-hash", BPF_MAP_TYPE_LRU_HASH},
    {"lru-percpu-hash", BPF_MAP_TYPE_LRU_PERCPU_HASH},
    {"lpm-trie", BPF_MAP_TYPE_LPM_TRIE},
    {"ringbuf", BPF_MAP_TYPE_RINGBUF},
    {"devmap", BPF_MAP_TYPE_DEVMAP},
    {"devmap-hash", BPF_MAP_TYPE_DEVMAP_HASH},
    {"cpumap", BPF_MAP_TYPE_CPUMAP},
    {"xskmap", BPF_MAP_TYPE_XSKMAP},
    {"stack-trace", BPF_MAP_TYPE_STACK_TRACE},
    {"sockmap", BPF_MAP_TYPE_SOCKMAP},
    {"sockhash", BPF_MAP_TYPE_SOCKHASH},
    {"perf-event-array", BPF_MAP_TYPE_PERF_EVENT_ARRAY},
};

std::string map_type_list() {
  std::string out;
  for (const auto &t : kMapTypes)
    out += (out.empty() ? ":" : ", :") + std::string(t.keyword);
  return out;
}

class Collector {
public:
  explicit Collector(Diagnostics &diags) : diags_(diags) {}

  ProgramModel run(const std::vector<DatumPtr> &forms) {
    for (const DatumPtr &form : forms) {
      const std::string &head = form->head();
      if (head == "defstruct")
        add_struct(*form);
      else if (head == "defmap")
        add_map(*form);
      else if (head == "defprog")
        add_program(*form);
      else
        diags_
            .error(form->span,
                   "'" + (head.empty() ? to_string(*form) : head) + "' is not a top-level form")
            .hints.push_back("the top level holds defprog, defmap, defstruct, defconstant, "
                             "defmacro, eval-when, progn and in-package, and macro calls "
                             "that expand into them");
    }
    if (model_.programs.empty() && !diags_.has_errors() && !forms.empty())
      diags_.error(forms.back()->span, "no defprog in this file: nothing to compile");
    return std::move(model_);
  }

private:
  bool claim_name(const Datum &name, const char *what) {
    if (!name.is_symbol()) {
      diags_.error(name.span,
                   std::string(what) + ": expected a name, found '" + to_string(name) + "'");
      return false;
    }
    if (!names_.insert(c_identifier(name.text)).second) {
      diags_.error(name.span, std::string(what) + " '" + name.text + "' is already defined");
      return false;
    }
    return true;
  }

  std::optional<uint32_t> u32_value(const Datum &d, const std::string &what) {
    if (!d.is_int() || d.integer < 0 || d.integer > UINT32_MAX) {
      diags_.error(d.span, what + ": expected a non-negative integer constant, found '" +
                               to_string(d) + "'");
      return std::nullopt;
    }
    return static_cast<uint32_t>(d.integer);
  }

  void add_struct(const Datum &form) {
    if (form.size() < 3) {
      diags_.error(form.span, "defstruct: expected (defstruct NAME (FIELD TYPE)...)");
      return;
    }
    if (!claim_name(*form[1], "struct")) return;
    StructDef def{form[1]->text, {}, 0, 1, form.span};
    for (size_t i = 2; i < form.size(); ++i) {
      const Datum &f = *form[i];
      if (f.is_string()) continue; // docstring
      if (!f.is_list() || f.size() != 2 || !f[0]->is_symbol()) {
        diags_.error(f.span, "defstruct '" + def.name + "': expected a field (NAME TYPE)");
        return;
      }
      FieldType type;
      const Datum &t = *f[1];
      std::optional<Scalar> scalar;
      if (t.is_symbol()) {
        scalar = parse_scalar(t.text);
      } else if (t.head_is("array") && t.size() == 3 && t[1]->is_symbol()) {
        scalar = parse_scalar(t[1]->text);
        auto count = u32_value(*t[2], "array length");
        if (!count) return;
        if (*count == 0) {
          diags_.error(t[2]->span, "array length must be positive");
          return;
        }
        type.count = *count;
      }
      if (!scalar) {
        diags_.error(t.span, "defstruct '" + def.name + "': unknown field type '" + to_string(t) +
                                 "': expected u8 u16 u32 u64 i8 i16 i32 i64 or (array TYPE N)");
        return;
      }
      type.scalar = *scalar;
      if (def.field(f[0]->text)) {
        diags_.error(f[0]->span,
                     "defstruct '" + def.name + "': duplicate field '" + f[0]->text + "'");
        return;
      }
      uint32_t align = scalar_size(type.scalar);
      def.size = (def.size + align - 1) / align * align;
      def.fields.push_back({f[0]->text, type, def.size, f.span});
      def.size += type.size();
      def.align = std::max(def.align, align);
      if (def.size > 4096) {
        diags_.error(f.span, "defstruct '" + def.name + "' is larger than 4096 bytes");
        return;
      }
    }
    if (def.fields.empty()) {
      diags_.error(form.span, "defstruct '" + def.name + "' has no fields");
      return;
    }
    def.size = (def.size + def.align - 1) / def.align * def.align;
    model_.structs.push_back(std::move(def));
  }

  void add_map(const Datum &form) {
    if (form.size() < 2 || !claim_name(*form[1], "map")) {
      if (form.size() < 2) diags_.error(form.span, "defmap: expected (defmap NAME :type T ...)");
      return;
    }
    MapDef map;
    map.name = form[1]->text;
    map.c_name = c_identifier(map.name);
    map.span = form.span;
    bool have_type = false, have_key = false, have_value = false, have_entries = false;
    if ((form.size() - 2) % 2 != 0) {
      diags_.error(form.items.back()->span,
                   "defmap '" + map.name + "': expected :option value pairs");
      return;
    }
    for (size_t i = 2; i + 1 < form.size(); i += 2) {
      const Datum &key = *form[i];
      const Datum &value = *form[i + 1];
      if (key.is_keyword("type")) {
        const MapTypeName *found = nullptr;
        for (const auto &t : kMapTypes)
          if (value.is_keyword() && value.text == t.keyword) found = &t;
        if (!found) {
          diags_
              .error(value.span,
                     "defmap '" + map.name + "': unknown map type '" + to_string(value) + "'")
              .hints.push_back("map types: " + map_type_list());
          return;
        }
        map.type = found->type;
        have_type = true;
      } else if (key.is_keyword("key-size") || key.is_keyword("value-size") ||
                 key.is_keyword("max-entries") || key.is_keyword("map-flags")) {
        auto v = u32_value(value, "defmap '" + map.name + "' :" + key.text);
        if (!v) return;
        if (key.text == "key-size")
          map.key_size = *v, have_key = true;
        else if (key.text == "value-size")
          map.value_size = *v, have_value = true;
        else if (key.text == "max-entries")
          map.max_entries = *v, have_entries = true;
        else
          map.flags = *v;
      } else if (key.is_keyword("key-type") || key.is_keyword("value-type")) {
        const StructDef *s = value.is_symbol() ? model_.find_struct(value.text) : nullptr;
        if (!s) {
          diags_.error(value.span, "defmap '" + map.name + "': :" + key.text + " '" +
                                       to_string(value) + "' is not a defstruct defined above");
          return;
        }
        if (key.text == "key-type") {
          map.key_struct = s->name;
          if (!have_key) map.key_size = s->size, have_key = true;
        } else {
          map.value_struct = s->name;
          if (!have_value) map.value_size = s->size, have_value = true;
        }
      } else {
        diags_.error(key.span, "defmap '" + map.name + "': unknown option '" + to_string(key) +
                                   "': expected :type :key-size :value-size :key-type :value-type "
                                   ":max-entries :map-flags");
        return;
      }
    }
    if (!have_type) {
      diags_.error(form.span, "defmap '" + map.name + "': missing :type");
      return;
    }
    if (!have_entries || map.max_entries == 0) {
      diags_.error(form.span, "defmap '" + map.name + "': missing or zero :max-entries");
      return;
    }
    bool needs_sizes = map.type != BPF_MAP_TYPE_RINGBUF;
    if (needs_sizes && (!have_key || !have_value)) {
      diags_.error(form.span, "defmap '" + map.name + "': missing :key-size or :value-size");
      return;
    }
    if (!map.key_struct.empty() && model_.find_struct(map.key_struct)->size != map.key_size) {
      diags_.error(form.span, "defmap '" + map.name +
                                  "': :key-size differs from the size of struct '" +
                                  map.key_struct + "'");
      return;
    }
    if (!map.value_struct.empty()) {
      if (model_.find_struct(map.value_struct)->size != map.value_size) {
        diags_.error(form.span, "defmap '" + map.name +
                                    "': :value-size differs from the size of "
                                    "struct '" +
                                    map.value_struct + "'");
        return;
      }
    }
    if (map.type == BPF_MAP_TYPE_LPM_TRIE) map.flags |= BPF_F_NO_PREALLOC;
    model_.maps.push_back(std::move(map));
  }

  std::optional<uint32_t> action_bit(const Datum &d) {
    static const std::pair<const char *, int> names[] = {{"aborted", XDP_ABORTED},
                                                         {"drop", XDP_DROP},
                                                         {"pass", XDP_PASS},
                                                         {"tx", XDP_TX},
                                                         {"redirect", XDP_REDIRECT}};
    if (d.is_int() && d.integer >= 0 && d.integer <= XDP_REDIRECT) return 1u << d.integer;
    std::string name = d.text;
    if (name.rfind("xdp_", 0) == 0) name = name.substr(4);
    if (d.is_keyword() || d.is_symbol())
      for (const auto &[n, v] : names)
        if (name == n) return 1u << v;
    diags_.error(d.span, "unknown XDP action '" + to_string(d) +
                             "': expected :aborted :drop :pass :tx or :redirect");
    return std::nullopt;
  }

  void add_program(const Datum &form) {
    if (form.size() < 3 || !form[2]->is_list()) {
      diags_.error(form.span, "defprog: expected (defprog NAME (OPTIONS...) BODY...)");
      return;
    }
    if (!claim_name(*form[1], "program")) return;
    ProgramDef prog;
    prog.name = form[1]->text;
    prog.c_name = c_identifier(prog.name);
    prog.span = form.span;
    prog.license = "GPL";
    const Datum &options = *form[2];
    std::optional<std::string> section;
    prog.type = find_program_type("xdp");
    if (options.size() % 2 != 0) {
      diags_.error(options.span, "defprog '" + prog.name + "': expected :option value pairs");
      return;
    }
    for (size_t i = 0; i + 1 < options.size(); i += 2) {
      const Datum &key = *options[i];
      const Datum &value = *options[i + 1];
      if (key.is_keyword("type")) {
        prog.type = value.is_keyword() ? find_program_type(value.text) : nullptr;
        if (!prog.type) {
          std::string all;
          for (const auto &t : program_types())
            all += (all.empty() ? ":" : " :") + t.keyword;
          diags_
              .error(value.span,
                     "defprog '" + prog.name + "': unknown program type '" + to_string(value) + "'")
              .hints.push_back("program types: " + all);
          return;
        }
      } else if (key.is_keyword("section") || key.is_keyword("license")) {
        if (value.is_symbol("nil")) continue;
        if (!value.is_string() || value.text.empty()) {
          diags_.error(value.span,
                       "defprog '" + prog.name + "': :" + key.text + " expects a non-empty string");
          return;
        }
        if (key.text == "section")
          section = value.text;
        else
          prog.license = value.text;
      } else if (key.is_keyword("priority")) {
        auto v = u32_value(value, "defprog '" + prog.name + "' :priority");
        if (!v) return;
        prog.priority = *v;
      } else if (key.is_keyword("proceed-on")) {
        if (!value.is_list()) {
          diags_.error(value.span, "defprog '" + prog.name +
                                       "': :proceed-on expects a list such "
                                       "as (:pass :drop)");
          return;
        }
        uint32_t mask = 0;
        for (const auto &action : value.items) {
          auto bit = action_bit(*action);
          if (!bit) return;
          mask |= *bit;
        }
        prog.proceed_on = mask;
      } else {
        diags_.error(key.span, "defprog '" + prog.name + "': unknown option '" + to_string(key) +
                                   "': expected :type :section :license :priority :proceed-on");
        return;
      }
    }
    if ((prog.priority || prog.proceed_on) && prog.type->prog_type != BPF_PROG_TYPE_XDP) {
      diags_.error(options.span, "defprog '" + prog.name +
                                     "': :priority and :proceed-on apply to :xdp programs only");
      return;
    }
    prog.section = section ? *section : prog.type->default_section;
    if (model_.license.empty()) {
      model_.license = prog.license;
    } else if (model_.license != prog.license) {
      diags_.error(options.span, "defprog '" + prog.name + "': license \"" + prog.license +
                                     "\" differs from \"" + model_.license +
                                     "\" used by an earlier program; an object has one license");
      return;
    }
    prog.body.assign(form.items.begin() + 3, form.items.end());
    if (prog.body.empty()) {
      diags_.error(form.span, "defprog '" + prog.name +
                                  "': empty body; the last form is the "
                                  "return code");
      return;
    }
    model_.programs.push_back(std::move(prog));
  }

  Diagnostics &diags_;
  ProgramModel model_;
  std::set<std::string> names_;
};

} // namespace

ProgramModel run_collect_definitions(const std::vector<DatumPtr> &forms, Diagnostics &diags) {
  return Collector(diags).run(forms);
}

} // namespace xdpchain::compiler
