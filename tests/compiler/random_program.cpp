#include "random_program.h"

#include <array>
#include <cinttypes>
#include <cstdio>
#include <utility>
#include <vector>

namespace xdpchain::compiler::testing {

namespace {

// splitmix64: the same stream on every platform and library.
struct Rng {
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  uint64_t below(uint64_t n) { return next() % n; }
  bool chance(int percent) { return below(100) < static_cast<uint64_t>(percent); }
};

struct Code {
  std::string lisp, c;
};

class Generator {
public:
  Generator(uint64_t seed, int index) : rng_{seed}, index_(index) {}

  RandomProgram run() {
    RandomProgram p;
    p.name = "f" + std::to_string(index_);
    p.map = "m" + std::to_string(index_);
    int nvars = 2 + static_cast<int>(rng_.below(3));
    std::string lisp_bindings, c_body;
    // Half the variables are 64-bit; the others are narrowed (zero- or sign-extended) on
    // every assignment, like a C variable of that type.
    static const char *types[] = {"u64", "u64", "u64", "u32", "u16", "u8", "i32", "i16", "i8"};
    for (int v = 0; v < nvars; ++v) {
      Code init = expr(3);
      std::string type = types[rng_.below(std::size(types))];
      std::string name = "v" + std::to_string(v);
      lisp_bindings += (v ? "\n          " : "") + std::string("(") + name + " " +
                       (type == "u64" ? "" : type + " ") + init.lisp + ")";
      std::string c_type = type[0] == 'u' ? "__" + type : "__s" + type.substr(1);
      c_body += "  " + c_type + " " + name + " = " + init.c + ";\n";
      vars_ = v + 1;
    }
    std::string lisp_body;
    int nstmts = 1 + static_cast<int>(rng_.below(5));
    for (int s = 0; s < nstmts; ++s) {
      Code st = statement(2);
      lisp_body += "\n      " + st.lisp;
      c_body += st.c;
    }
    Code verdict = expr(3);
    lisp_body += "\n      (return (logand " + verdict.lisp + " 3))";
    c_body += "  return (int)((" + verdict.c + ") & 3);\n";
    p.lisp = "(defmap " + p.map + " :type :array :key-size 4 :value-size 8 :max-entries 8)\n" +
             "(defprog " + p.name + " (:type :xdp)\n  (with-packet (data data-end :min-len " +
             std::to_string(kRandomProgramMinPacket) + ")\n    (let* (" + lisp_bindings + ")" +
             lisp_body + "))\n  XDP_PASS)\n";
    p.c = "struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 8); __type(key, "
          "__u32); __type(value, __u64); } " +
          p.map + " SEC(\".maps\");\nSEC(\"xdp\") int " + p.name +
          "(struct xdp_md *ctx) {\n  void *data = (void *)(long)ctx->data;\n  void *data_end = "
          "(void *)(long)ctx->data_end;\n  if (data + " +
          std::to_string(kRandomProgramMinPacket) + " > data_end) return XDP_PASS;\n" + c_body +
          "}\n";
    return p;
  }

private:
  Code constant() {
    static const uint64_t edges[] = {0,
                                     1,
                                     2,
                                     3,
                                     7,
                                     8,
                                     63,
                                     64,
                                     255,
                                     256,
                                     0xffff,
                                     0x10000,
                                     0x7fffffff,
                                     0x80000000ull,
                                     0xffffffffull,
                                     0x100000000ull,
                                     0x7fffffffffffffffull,
                                     0x8000000000000000ull,
                                     0xffffffffffffffffull,
                                     0xfffffffffffffffeull};
    uint64_t v;
    switch (rng_.below(4)) {
    case 0:
      v = edges[rng_.below(std::size(edges))];
      break;
    case 1:
      v = rng_.below(100);
      break;
    case 2:
      v = rng_.next() >> (rng_.below(64));
      break;
    default:
      v = -rng_.below(1000);
    }
    char c[40];
    std::snprintf(c, sizeof c, "0x%" PRIx64 "ull", v);
    return {std::to_string(static_cast<int64_t>(v)), std::string("(__u64)") + c};
  }

  Code packet_load() {
    static const std::pair<const char *, int> sizes[] = {
        {"u8", 1}, {"u16", 2}, {"u32", 4}, {"u64", 8}};
    auto [type, size] = sizes[rng_.below(4)];
    int off = static_cast<int>(rng_.below(kRandomProgramMinPacket - size + 1));
    return {"(load " + std::string(type) + " data " + std::to_string(off) + ")",
            "(__u64)*(__" + std::string(type) + " *)(data + " + std::to_string(off) + ")"};
  }

  Code leaf() {
    uint64_t k = rng_.below(10);
    if (k < 3) return constant();
    if (k < 6 && vars_ > 0) {
      std::string v = "v" + std::to_string(rng_.below(static_cast<uint64_t>(vars_)));
      return {v, "(__u64)" + v};
    }
    return packet_load();
  }

  Code map_key() {
    if (rng_.chance(70)) {
      std::string k = std::to_string(rng_.below(8));
      return {k, k};
    }
    Code e = expr(1);
    return {"(logand " + e.lisp + " 7)", "((" + e.c + ") & 7)"};
  }

  Code condition(int depth) {
    uint64_t k = rng_.below(10);
    if (depth > 0 && k == 0) {
      Code a = condition(depth - 1), b = condition(depth - 1);
      bool is_and = rng_.chance(50);
      return {std::string(is_and ? "(and " : "(or ") + a.lisp + " " + b.lisp + ")",
              "(" + a.c + (is_and ? " && " : " || ") + b.c + ")"};
    }
    if (depth > 0 && k == 1) {
      Code a = condition(depth - 1);
      return {"(not " + a.lisp + ")", "(!" + a.c + ")"};
    }
    static const std::array<std::array<const char *, 3>, 10> cmps = {{{"=", "==", ""},
                                                                      {"/=", "!=", ""},
                                                                      {"<", "<", ""},
                                                                      {"<=", "<=", ""},
                                                                      {">", ">", ""},
                                                                      {">=", ">=", ""},
                                                                      {"s<", "<", "s"},
                                                                      {"s<=", "<=", "s"},
                                                                      {"s>", ">", "s"},
                                                                      {"s>=", ">=", "s"}}};
    const auto &cmp = cmps[rng_.below(cmps.size())];
    Code a = expr(depth), b = expr(depth);
    bool is_signed = cmp[2][0] == 's';
    std::string ca = is_signed ? "(__s64)(" + a.c + ")" : "(" + a.c + ")";
    std::string cb = is_signed ? "(__s64)(" + b.c + ")" : "(" + b.c + ")";
    return {"(" + std::string(cmp[0]) + " " + a.lisp + " " + b.lisp + ")",
            "(" + ca + " " + cmp[1] + " " + cb + ")"};
  }

  Code expr(int depth) {
    if (depth <= 0 || rng_.chance(25)) return leaf();
    Code a = expr(depth - 1);
    switch (rng_.below(14)) {
    case 0:
    case 1: {
      static const std::array<std::pair<const char *, const char *>, 6> ops = {
          {{"+", "+"}, {"-", "-"}, {"*", "*"}, {"logand", "&"}, {"logior", "|"}, {"logxor", "^"}}};
      auto [l, c] = ops[rng_.below(ops.size())];
      Code b = expr(depth - 1);
      return {"(" + std::string(l) + " " + a.lisp + " " + b.lisp + ")",
              "((" + a.c + ") " + c + " (" + b.c + "))"};
    }
    case 2: {
      // A divisor that is constant zero is a compile-time error in the language: divisors
      // read the packet or a map, so that zero happens at run time.
      Code b = expr(depth - 1);
      if (b.lisp.find("(load ") == std::string::npos &&
          b.lisp.find("(getmap ") == std::string::npos)
        b = packet_load();
      bool div = rng_.chance(50);
      return {"(" + std::string(div ? "/" : "mod") + " " + a.lisp + " " + b.lisp + ")",
              std::string(div ? "div0" : "mod0") + "(" + a.c + ", " + b.c + ")"};
    }
    case 3: {
      std::string k = std::to_string(rng_.below(64));
      switch (rng_.below(3)) {
      case 0:
        return {"(<< " + a.lisp + " " + k + ")", "((" + a.c + ") << " + k + ")"};
      case 1:
        return {"(>> " + a.lisp + " " + k + ")", "((" + a.c + ") >> " + k + ")"};
      default:
        return {"(>>> " + a.lisp + " " + k + ")", "(__u64)((__s64)(" + a.c + ") >> " + k + ")"};
      }
    }
    case 4: {
      Code b = expr(depth - 1);
      bool left = rng_.chance(50);
      return {"(" + std::string(left ? "<<" : ">>") + " " + a.lisp + " (logand " + b.lisp + " 63))",
              "((" + a.c + ") " + (left ? "<<" : ">>") + " ((" + b.c + ") & 63))"};
    }
    case 5:
      return rng_.chance(50) ? Code{"(lognot " + a.lisp + ")", "(~(" + a.c + "))"}
                             : Code{"(- " + a.lisp + ")", "(-(" + a.c + "))"};
    case 6: {
      Code c = condition(1), b = expr(depth - 1);
      return {"(if " + c.lisp + " " + a.lisp + " " + b.lisp + ")",
              "(" + c.c + " ? (" + a.c + ") : (" + b.c + "))"};
    }
    case 7: {
      Code k = map_key();
      return {"(getmap " + map_name() + " " + k.lisp + ")",
              "get_slot(&" + map_name() + ", " + k.c + ")"};
    }
    case 8: {
      static const std::array<std::array<const char *, 3>, 3> swaps = {
          {{"ntohs", "__builtin_bswap16", "__u16"},
           {"ntohl", "__builtin_bswap32", "__u32"},
           {"ntohll", "__builtin_bswap64", "__u64"}}};
      const auto &s = swaps[rng_.below(swaps.size())];
      return {"(" + std::string(s[0]) + " " + a.lisp + ")",
              "(__u64)" + std::string(s[1]) + "((" + s[2] + ")(" + a.c + "))"};
    }
    case 9: {
      static const char *types[] = {"u8", "u16", "u32", "i8", "i16", "i32"};
      std::string t = types[rng_.below(std::size(types))];
      std::string c_type = t[0] == 'u' ? "__" + t : "__s" + t.substr(1);
      return {"(cast " + t + " " + a.lisp + ")", "(__u64)(" + c_type + ")(" + a.c + ")"};
    }
    default: {
      static const std::array<std::pair<const char *, const char *>, 4> ops = {
          {{"+", "+"}, {"-", "-"}, {"logand", "&"}, {"logxor", "^"}}};
      auto [l, c] = ops[rng_.below(ops.size())];
      Code b = leaf();
      return {"(" + std::string(l) + " " + a.lisp + " " + b.lisp + ")",
              "((" + a.c + ") " + c + " (" + b.c + "))"};
    }
    }
  }

  std::string map_name() const { return "m" + std::to_string(index_); }

  Code statement(int depth) {
    uint64_t k = rng_.below(10);
    if (depth > 0 && k < 2) {
      Code c = condition(1);
      Code body = block(depth - 1);
      if (rng_.chance(50))
        return {"(when " + c.lisp + body.lisp + ")", "  if " + c.c + " {\n" + body.c + "  }\n"};
      Code other = block(depth - 1);
      return {"(if " + c.lisp + " (progn" + body.lisp + ") (progn" + other.lisp + "))",
              "  if " + c.c + " {\n" + body.c + "  } else {\n" + other.c + "  }\n"};
    }
    if (k < 4) {
      std::string v = "v" + std::to_string(rng_.below(static_cast<uint64_t>(vars_)));
      Code e = expr(2);
      return {"(setf " + v + " " + e.lisp + ")", "  " + v + " = " + e.c + ";\n"};
    }
    if (k < 6) {
      Code key = map_key(), e = expr(2);
      return {"(setf (getmap " + map_name() + " " + key.lisp + ") " + e.lisp + ")",
              "  set_slot(&" + map_name() + ", " + key.c + ", " + e.c + ");\n"};
    }
    if (k < 7) {
      Code key = map_key(), e = expr(1);
      return {"(incf (getmap " + map_name() + " " + key.lisp + ") " + e.lisp + ")",
              "  add_slot(&" + map_name() + ", " + key.c + ", " + e.c + ");\n"};
    }
    if (k < 9) {
      static const std::pair<const char *, int> sizes[] = {
          {"u8", 1}, {"u16", 2}, {"u32", 4}, {"u64", 8}};
      auto [type, size] = sizes[rng_.below(4)];
      int off = static_cast<int>(rng_.below(kRandomProgramMinPacket - size + 1));
      Code e = expr(2);
      return {"(store " + std::string(type) + " data " + std::to_string(off) + " " + e.lisp + ")",
              "  *(__" + std::string(type) + " *)(data + " + std::to_string(off) + ") = (__" +
                  type + ")(" + e.c + ");\n"};
    }
    Code c = condition(1), e = expr(2);
    return {"(when " + c.lisp + " (return (logand " + e.lisp + " 3)))",
            "  if " + c.c + " return (int)((" + e.c + ") & 3);\n"};
  }

  Code block(int depth) {
    Code out;
    int n = 1 + static_cast<int>(rng_.below(2));
    for (int i = 0; i < n; ++i) {
      Code s = statement(depth);
      out.lisp += " " + s.lisp;
      out.c += "  " + s.c;
    }
    return out;
  }

  Rng rng_;
  int index_;
  int vars_ = 0;
};

} // namespace

RandomProgram generate_random_program(uint64_t seed, int index) {
  return Generator(seed, index).run();
}

std::string random_program_c_prelude() {
  return R"(#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

// BPF semantics for division by zero.
static __always_inline __u64 div0(__u64 a, __u64 b) { return b ? a / b : 0; }
static __always_inline __u64 mod0(__u64 a, __u64 b) { return b ? a % b : a; }
static __always_inline __u64 get_slot(void *map, __u32 key) {
  __u64 *p = bpf_map_lookup_elem(map, &key);
  return p ? *p : 0;
}
static __always_inline void set_slot(void *map, __u32 key, __u64 value) {
  bpf_map_update_elem(map, &key, &value, BPF_ANY);
}
static __always_inline void add_slot(void *map, __u32 key, __u64 delta) {
  __u64 *p = bpf_map_lookup_elem(map, &key);
  if (p) __sync_fetch_and_add(p, delta);
}
char _license[] SEC("license") = "GPL";
)";
}

} // namespace xdpchain::compiler::testing
