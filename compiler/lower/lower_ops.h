// Internal to lower/: the tables of BPF comparison and ALU operations by form name.
#pragma once

#include <linux/bpf.h>

#include <cstdint>
#include <string>

namespace xdpchain::compiler::lowering {

inline bool fits_s32(int64_t v) {
  return v >= INT32_MIN && v <= INT32_MAX;
}

struct CompareOp {
  const char *name;
  uint8_t code;
  uint8_t negated;
  uint8_t swapped; // the same test with the operands exchanged
};

inline constexpr CompareOp kCompares[] = {
    {"=", BPF_JEQ, BPF_JNE, BPF_JEQ},     {"/=", BPF_JNE, BPF_JEQ, BPF_JNE},
    {"<", BPF_JLT, BPF_JGE, BPF_JGT},     {"<=", BPF_JLE, BPF_JGT, BPF_JGE},
    {">", BPF_JGT, BPF_JLE, BPF_JLT},     {">=", BPF_JGE, BPF_JLT, BPF_JLE},
    {"s<", BPF_JSLT, BPF_JSGE, BPF_JSGT}, {"s<=", BPF_JSLE, BPF_JSGT, BPF_JSGE},
    {"s>", BPF_JSGT, BPF_JSLE, BPF_JSLT}, {"s>=", BPF_JSGE, BPF_JSLT, BPF_JSLE},
};

inline const CompareOp *find_compare(const std::string &name) {
  for (const auto &c : kCompares)
    if (name == c.name) return &c;
  return nullptr;
}

inline uint8_t negate(uint8_t code) {
  for (const auto &c : kCompares)
    if (c.code == code) return c.negated;
  return code;
}

inline uint8_t swap_operands(uint8_t code) {
  for (const auto &c : kCompares)
    if (c.code == code) return c.swapped;
  return code;
}

inline uint64_t bswap(uint64_t v, int bits) {
  uint64_t out = 0;
  for (int i = 0; i < bits / 8; ++i)
    out = (out << 8) | ((v >> (8 * i)) & 0xff);
  return out;
}

struct AluOp {
  const char *name;
  uint8_t code;
};

inline constexpr AluOp kAluOps[] = {{"+", BPF_ADD},     {"-", BPF_SUB},      {"*", BPF_MUL},
                                    {"/", BPF_DIV},     {"mod", BPF_MOD},    {"logand", BPF_AND},
                                    {"logior", BPF_OR}, {"logxor", BPF_XOR}, {"<<", BPF_LSH},
                                    {">>", BPF_RSH},    {">>>", BPF_ARSH}};

} // namespace xdpchain::compiler::lowering
