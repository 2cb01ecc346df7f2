// The IR between lowering and emission: a linear list of BPF-shaped instructions over
// virtual registers, with labels. Registers 0-10 are the machine's r0-r10; virtual ones
// start at kFirstVirtual. After register allocation only machine registers remain.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace xdpchain::compiler::ir {

using Reg = int;
constexpr Reg kNoReg = -1;
constexpr Reg kFirstVirtual = 16;
constexpr Reg kFramePointer = 10;
inline bool is_virtual(Reg r) {
  return r >= kFirstVirtual;
}

enum class Op : uint8_t {
  mov,        // dst = src                       (is32: mov32, zero-extends)
  alu,        // dst = dst <code> src            (code: BPF_ADD, BPF_SUB, ...; is32 for alu32)
  neg,        // dst = -dst
  endian,     // dst = to big endian(dst), `imm` bits
  ld_imm64,   // dst = imm (two instruction slots)
  ld_map,     // dst = address of map `map`   (two slots, relocated)
  load,       // dst = *(size *)(base + off)
  store,      // *(size *)(base + off) = src     (src may be an immediate)
  atomic_add, // lock *(size *)(base + off) += src
  jump,       // if (dst <code> src) goto label  (code: BPF_JEQ, ...; is32 for jmp32)
  ja,         // goto label
  label,      // label:
  call,       // call helper `imm`; arguments in r1..r`nargs`, result in r0
  exit,       // return r0
};

struct Operand {
  bool is_imm = false;
  Reg reg = kNoReg;
  int64_t imm = 0;
  static Operand r(Reg reg) { return Operand{false, reg, 0}; }
  static Operand i(int64_t value) { return Operand{true, kNoReg, value}; }
};

// Source position an instruction came from (for line_info and listings).
struct Loc {
  uint32_t line = 0;
  uint32_t column = 0;
};

struct Inst {
  Op op = Op::mov;
  Reg dst = kNoReg;
  Operand src;
  Reg base = kNoReg;
  int32_t off = 0;
  int64_t imm = 0;  // ld_imm64 value, endian width, helper id
  uint8_t code = 0; // BPF ALU or JMP operation
  uint8_t size = 8; // bytes accessed by load/store/atomic_add
  bool is32 = false;
  int label = -1; // jump/ja target, or the label a `label` instruction defines
  int map = -1;   // ld_map: index into the model's maps
  int nargs = 0;  // call: number of argument registers used
  Loc loc;
};

struct Function {
  std::string name;
  std::vector<Inst> insts;
  Reg next_vreg = kFirstVirtual;
  int next_label = 0;
  int stack_size = 0; // bytes in use below r10 (scratch slots are given back)
  int stack_peak = 0; // the most ever in use: spill slots go below it

  Reg new_vreg() { return next_vreg++; }
  int new_label() { return next_label++; }
  // Reserves `size` bytes (aligned to `align`) below the frame pointer; returns the
  // negative offset from r10.
  int alloc_stack(int size, int align);
};

// Registers an instruction reads and writes. A call writes r0-r5 (its result and the
// registers it clobbers) and reads its argument registers; exit reads r0.
std::vector<Reg> uses(const Inst &inst);
std::vector<Reg> defs(const Inst &inst);
// True for instructions with no effect beyond writing their destination.
bool is_pure(const Inst &inst);

const char *jump_name(uint8_t code); // "==", "s<", ...
const char *alu_name(uint8_t code);  // "+=", "s>>=", "=" (BPF_MOV), ...
std::string to_string(const Inst &inst);
std::string to_string(const Function &fn);

} // namespace xdpchain::compiler::ir
