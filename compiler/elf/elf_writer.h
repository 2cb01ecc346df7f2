// Stage 9: the ELF64 relocatable object (EM_BPF, little endian) that libbpf opens:
// program sections, license, .maps, .xdp_run_config, relocations, .BTF, .BTF.ext,
// symbols.
#pragma once

#include <linux/bpf.h>

#include <cstdint>
#include <string>
#include <vector>

namespace xdpchain::compiler {

struct ElfSymbol {
  std::string name;
  uint64_t value = 0; // byte offset in its section
  uint64_t size = 0;
  bool function = false;
};

struct ElfReloc {
  uint64_t offset = 0; // byte offset of the instruction
  std::string symbol;  // a data symbol (a map)
};

struct ElfSection {
  std::string name;
  bool code = false; // executable program section
  std::vector<uint8_t> data;
  std::vector<ElfSymbol> symbols;
  std::vector<ElfReloc> relocs;
};

struct ElfObject {
  std::vector<ElfSection> sections; // program and data sections
  std::vector<uint8_t> btf;
  std::vector<uint8_t> btf_ext;
};

std::vector<uint8_t> run_write_elf(const ElfObject &object);

} // namespace xdpchain::compiler
