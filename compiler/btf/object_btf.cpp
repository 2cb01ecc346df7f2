#include "compiler/btf/object_btf.h"

#include "common/btf_builder.h"

#include <linux/bpf.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <map>

namespace xdpchain::compiler {

namespace {

using bpf::BtfBuilder;
using bpf::TypeId;

class ObjectBtfBuilder {
public:
  ObjectBtfBuilder(const ProgramModel &model, const std::vector<CodeSection> &sections,
                   const SourceFile &source)
      : model_(model), sections_(sections), source_(source) {}

  Result<ObjectBtf> run() {
    for (const StructDef &s : model_.structs)
      struct_type(s);
    add_maps();
    std::map<const ProgramDef *, TypeId> funcs;
    for (const CodeSection &section : sections_)
      for (const PlacedProgram &p : section.programs)
        funcs[p.def] = b_.func(p.def->c_name, func_proto(*p.def), bpf::Linkage::global);
    add_run_config();
    add_license();
    std::vector<uint8_t> ext = btf_ext(funcs);
    auto bytes = b_.encode();
    if (!bytes) return std::move(bytes).error().wrap("btf");
    out_.btf = std::move(*bytes);
    out_.btf_ext = std::move(ext);
    return std::move(out_);
  }

private:
  TypeId scalar_type(Scalar s) {
    static const char *names[] = {
        "unsigned char", "unsigned short", "unsigned int", "unsigned long long",
        "signed char",   "short",          "int",          "long long"};
    auto it = scalars_.find(s);
    if (it != scalars_.end()) return it->second;
    TypeId id = s == Scalar::u32 ? b_.u32()
                : s == Scalar::i32
                    ? b_.int32()
                    : b_.int_type(names[static_cast<int>(s)], scalar_size(s), scalar_signed(s));
    return scalars_[s] = id;
  }

  TypeId struct_type(const StructDef &s) {
    auto it = structs_.find(s.name);
    if (it != structs_.end()) return it->second;
    std::vector<bpf::BtfMember> members;
    for (const StructField &f : s.fields) {
      TypeId t = scalar_type(f.type.scalar);
      if (f.type.count) t = b_.array(t, f.type.count);
      members.push_back({c_identifier(f.name), t, f.offset * 8});
    }
    return structs_[s.name] = b_.struct_type(c_identifier(s.name), s.size, members);
  }

  // libbpf's __uint(name, value): a pointer to an array of `value` ints.
  bpf::BtfMember uint_member(const std::string &name, uint32_t value, uint32_t index) {
    return {name, b_.pointer(b_.array(b_.int32(), value)), index * 64};
  }

  void add_maps() {
    std::vector<bpf::BtfVarSecInfo> vars;
    uint32_t offset = 0;
    for (const MapDef &m : model_.maps) {
      std::vector<bpf::BtfMember> members;
      auto add_uint = [&](const char *name, uint32_t v) {
        members.push_back(uint_member(name, v, static_cast<uint32_t>(members.size())));
      };
      add_uint("type", m.type);
      add_uint("max_entries", m.max_entries);
      if (m.flags) add_uint("map_flags", m.flags);
      if (m.type != BPF_MAP_TYPE_RINGBUF) {
        // The kernel takes a map's BTF only with types for both key and value: either
        // both are typed or both are given as sizes.
        auto [key, value] = key_value_types(m);
        if (key && value) {
          members.push_back({"key", b_.pointer(key), static_cast<uint32_t>(members.size()) * 64});
          members.push_back(
              {"value", b_.pointer(value), static_cast<uint32_t>(members.size()) * 64});
        } else {
          add_uint("key_size", m.key_size);
          add_uint("value_size", m.value_size);
        }
      }
      uint32_t size = static_cast<uint32_t>(members.size()) * 8;
      TypeId def = b_.struct_type("", size, members);
      TypeId var = b_.var(m.c_name, def, bpf::Linkage::global);
      vars.push_back({var, offset, size});
      out_.maps.push_back({m.c_name, offset, size});
      offset += size;
    }
    out_.maps_size = offset;
    if (!vars.empty()) b_.datasec(".maps", offset, vars);
  }

  // BTF types for a map's key and value, or 0 where the map kind or shape has none the
  // kernel accepts. Hash and array kinds take any type of the right size (a struct, an
  // integer, or bytes); an LPM trie only a struct key.
  std::pair<TypeId, TypeId> key_value_types(const MapDef &m) {
    bool hash_or_array = m.type == BPF_MAP_TYPE_HASH || m.type == BPF_MAP_TYPE_ARRAY ||
                         m.type == BPF_MAP_TYPE_PERCPU_HASH ||
                         m.type == BPF_MAP_TYPE_PERCPU_ARRAY || m.type == BPF_MAP_TYPE_LRU_HASH ||
                         m.type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
    bool lpm = m.type == BPF_MAP_TYPE_LPM_TRIE;
    if (!hash_or_array && !(lpm && !m.key_struct.empty())) return {0, 0};
    return {sized_type(m.key_struct, m.key_size), sized_type(m.value_struct, m.value_size)};
  }

  TypeId sized_type(const std::string &struct_name, uint32_t size) {
    if (!struct_name.empty()) return struct_type(*model_.find_struct(struct_name));
    if (auto scalar = unsigned_scalar_of_size(size)) return scalar_type(*scalar);
    if (size == 0) return 0;
    return b_.array(scalar_type(Scalar::u8), size);
  }

  TypeId func_proto(const ProgramDef &p) {
    const ProgramTypeInfo &t = *p.type;
    if (t.prog_type == BPF_PROG_TYPE_XDP) return b_.xdp_func_proto();
    auto it = protos_.find(t.context_struct);
    if (it != protos_.end()) return it->second;
    TypeId ctx = 0; // void *ctx for tracepoints
    if (!t.context_struct.empty()) {
      std::vector<ContextField> fields = t.fields;
      std::sort(fields.begin(), fields.end(),
                [](const ContextField &a, const ContextField &b) { return a.offset < b.offset; });
      std::vector<bpf::BtfMember> members;
      for (const ContextField &f : fields)
        members.push_back({c_identifier(f.name), f.size == 8 ? scalar_type(Scalar::u64) : b_.u32(),
                           f.offset * 8});
      ctx = b_.struct_type(t.context_struct, t.context_size, members);
    }
    return protos_[t.context_struct] = b_.func_proto(b_.int32(), {{"ctx", b_.pointer(ctx)}});
  }

  // `char _license[] SEC("license")`, as clang describes it: the static linker wants BTF
  // for every global data symbol.
  void add_license() {
    uint32_t size = static_cast<uint32_t>(model_.license.size() + 1);
    TypeId chars = b_.array(b_.int_type("char", 1, true), size);
    TypeId var = b_.var("_license", chars, bpf::Linkage::global);
    b_.datasec("license", size, {{var, 0, size}});
  }

  void add_run_config() {
    static const char *actions[] = {"XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX",
                                    "XDP_REDIRECT"};
    std::vector<bpf::BtfVarSecInfo> vars;
    uint32_t offset = 0;
    for (const ProgramDef &p : model_.programs) {
      if (!p.priority && !p.proceed_on) continue;
      std::vector<bpf::BtfMember> members;
      if (p.priority) members.push_back(uint_member("priority", *p.priority, 0));
      if (p.proceed_on)
        for (int a = 0; a < 5; ++a)
          if (*p.proceed_on & (1u << a))
            members.push_back(uint_member(actions[a], 1, static_cast<uint32_t>(members.size())));
      uint32_t size = static_cast<uint32_t>(members.size()) * 8;
      TypeId def = b_.struct_type("", size, members);
      std::string name = "_" + p.c_name;
      TypeId var = b_.var(name, def, bpf::Linkage::global);
      vars.push_back({var, offset, size});
      out_.run_config.push_back({name, offset, size});
      offset += size;
    }
    out_.run_config_size = offset;
    if (!vars.empty()) b_.datasec(".xdp_run_config", offset, vars);
  }

  static void put32(std::vector<uint8_t> &out, uint32_t v) {
    for (int i = 0; i < 4; ++i)
      out.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }

  std::vector<uint8_t> btf_ext(const std::map<const ProgramDef *, TypeId> &funcs) {
    std::vector<uint8_t> func_info, line_info;
    put32(func_info, 8);  // sizeof(struct bpf_func_info)
    put32(line_info, 16); // sizeof(struct bpf_line_info)
    uint32_t file_off = b_.string(source_.name());
    std::map<uint32_t, uint32_t> line_strings;
    for (const CodeSection &section : sections_) {
      uint32_t sec_off = b_.string(section.name);
      put32(func_info, sec_off);
      put32(func_info, static_cast<uint32_t>(section.programs.size()));
      for (const PlacedProgram &p : section.programs) {
        put32(func_info, static_cast<uint32_t>(p.first_insn * 8));
        put32(func_info, funcs.at(p.def));
      }
      std::vector<std::array<uint32_t, 4>> records;
      for (const PlacedProgram &p : section.programs) {
        ir::Loc last{~0u, ~0u};
        for (size_t i = 0; i < p.code.locs.size(); ++i) {
          const ir::Loc &loc = p.code.locs[i];
          bool second_half_of_ld64 =
              i > 0 && p.code.insns[i - 1].code == (BPF_LD | BPF_IMM | BPF_DW);
          if (second_half_of_ld64) continue;
          bool first = i == 0;
          if (!first && (loc.line == last.line && loc.column == last.column)) continue;
          if (!first && loc.line == 0) continue;
          last = loc;
          uint32_t line = loc.line ? loc.line : p.def->span.line();
          auto it = line_strings.find(line);
          if (it == line_strings.end())
            it = line_strings.emplace(line, b_.string(std::string(source_.line_text(line)))).first;
          records.push_back({static_cast<uint32_t>((p.first_insn + i) * 8), file_off, it->second,
                             (line << 10) | std::min<uint32_t>(loc.column, 1023)});
        }
      }
      put32(line_info, sec_off);
      put32(line_info, static_cast<uint32_t>(records.size()));
      for (const auto &r : records)
        for (uint32_t v : r)
          put32(line_info, v);
    }
    std::vector<uint8_t> out;
    // struct btf_ext_header: magic, version, flags, hdr_len, then offsets/lengths of
    // func_info, line_info and core_relo (relative to the end of the header).
    const uint32_t hdr_len = 32;
    out.push_back(0x9f);
    out.push_back(0xeb);
    out.push_back(1);
    out.push_back(0);
    put32(out, hdr_len);
    put32(out, 0);
    put32(out, static_cast<uint32_t>(func_info.size()));
    put32(out, static_cast<uint32_t>(func_info.size()));
    put32(out, static_cast<uint32_t>(line_info.size()));
    put32(out, static_cast<uint32_t>(func_info.size() + line_info.size()));
    put32(out, 0);
    out.insert(out.end(), func_info.begin(), func_info.end());
    out.insert(out.end(), line_info.begin(), line_info.end());
    return out;
  }

  const ProgramModel &model_;
  const std::vector<CodeSection> &sections_;
  const SourceFile &source_;
  BtfBuilder b_;
  ObjectBtf out_;
  std::map<Scalar, TypeId> scalars_;
  std::map<std::string, TypeId> structs_;
  std::map<std::string, TypeId> protos_;
};

} // namespace

Result<ObjectBtf> run_build_btf(const ProgramModel &model, const std::vector<CodeSection> &sections,
                                const SourceFile &source) {
  return ObjectBtfBuilder(model, sections, source).run();
}

} // namespace xdpchain::compiler
