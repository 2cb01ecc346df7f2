// Basic blocks and register liveness over the IR, shared by ir::verify, dead-code
// elimination and register allocation.
#pragma once

#include "compiler/ir/ir.h"

#include <cstdint>
#include <functional>
#include <vector>

namespace xdpchain::compiler::ir {

class RegSet {
public:
  explicit RegSet(size_t n = 0) : words_((n + 63) / 64) {}
  void add(Reg r) { words_[r / 64] |= uint64_t{1} << (r % 64); }
  void remove(Reg r) { words_[r / 64] &= ~(uint64_t{1} << (r % 64)); }
  bool has(Reg r) const { return (words_[r / 64] >> (r % 64)) & 1; }
  bool merge(const RegSet &other); // returns true when this set grew
  template <typename F> void for_each(F f) const {
    for (size_t w = 0; w < words_.size(); ++w)
      for (uint64_t bits = words_[w]; bits; bits &= bits - 1)
        f(static_cast<Reg>(w * 64 + __builtin_ctzll(bits)));
  }
  bool operator==(const RegSet &other) const = default;

private:
  std::vector<uint64_t> words_;
};

struct Block {
  size_t begin = 0, end = 0; // instruction range [begin, end)
  std::vector<size_t> succs;
};

struct Liveness {
  std::vector<Block> blocks;
  std::vector<RegSet> live_in;  // per block
  std::vector<RegSet> live_out; // per block
  size_t reg_count = 0;
};

std::vector<Block> build_blocks(const Function &fn);
Liveness compute_liveness(const Function &fn);
// Calls f(index, live_after) for every instruction, with the registers live right after it.
void for_each_live_after(const Function &fn, const Liveness &liveness,
                         const std::function<void(size_t, const RegSet &)> &f);

} // namespace xdpchain::compiler::ir
