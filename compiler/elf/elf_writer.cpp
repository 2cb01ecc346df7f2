#include "compiler/elf/elf_writer.h"

#include <elf.h>

#include <cstring>
#include <map>

#ifndef EM_BPF
#define EM_BPF 247
#endif
#ifndef R_BPF_64_64
#define R_BPF_64_64 1
#endif

namespace xdpchain::compiler {

namespace {

class StringTable {
public:
  StringTable() { data_.push_back(0); }
  uint32_t add(const std::string &s) {
    auto it = offsets_.find(s);
    if (it != offsets_.end()) return it->second;
    uint32_t off = static_cast<uint32_t>(data_.size());
    data_.insert(data_.end(), s.begin(), s.end());
    data_.push_back(0);
    offsets_[s] = off;
    return off;
  }
  const std::vector<uint8_t> &data() const { return data_; }

private:
  std::vector<uint8_t> data_;
  std::map<std::string, uint32_t> offsets_;
};

template <typename T> void append(std::vector<uint8_t> &out, const T &value) {
  const auto *p = reinterpret_cast<const uint8_t *>(&value);
  out.insert(out.end(), p, p + sizeof(T));
}

} // namespace

std::vector<uint8_t> run_write_elf(const ElfObject &object) {
  StringTable strings;
  std::vector<Elf64_Shdr> headers(1); // [0] is the null section
  std::vector<std::vector<uint8_t>> contents(1);

  auto add_section = [&](const std::string &name, uint32_t type, uint64_t flags,
                         std::vector<uint8_t> data, uint64_t align, uint64_t entsize = 0) {
    Elf64_Shdr h{};
    h.sh_name = strings.add(name);
    h.sh_type = type;
    h.sh_flags = flags;
    h.sh_addralign = align;
    h.sh_entsize = entsize;
    h.sh_size = data.size();
    headers.push_back(h);
    contents.push_back(std::move(data));
    return headers.size() - 1;
  };

  // Program and data sections, remembering where each symbol lives.
  std::vector<Elf64_Sym> symbols(1);
  std::map<std::string, uint32_t> symbol_index;
  std::vector<size_t> section_index;
  for (const ElfSection &s : object.sections) {
    uint64_t flags = SHF_ALLOC | (s.code ? SHF_EXECINSTR : SHF_WRITE);
    size_t idx = add_section(s.name, SHT_PROGBITS, flags, s.data, s.code ? 8 : 8);
    section_index.push_back(idx);
    for (const ElfSymbol &sym : s.symbols) {
      Elf64_Sym e{};
      e.st_name = strings.add(sym.name);
      e.st_info = ELF64_ST_INFO(STB_GLOBAL, sym.function ? STT_FUNC : STT_OBJECT);
      e.st_shndx = static_cast<uint16_t>(idx);
      e.st_value = sym.value;
      e.st_size = sym.size;
      symbol_index[sym.name] = static_cast<uint32_t>(symbols.size());
      symbols.push_back(e);
    }
  }
  size_t btf_index = add_section(".BTF", SHT_PROGBITS, 0, object.btf, 4);
  size_t btf_ext_index = add_section(".BTF.ext", SHT_PROGBITS, 0, object.btf_ext, 4);
  (void)btf_index;
  (void)btf_ext_index;
  // Relocations refer to the symbol table, which comes last.
  std::vector<size_t> rel_sections;
  for (size_t i = 0; i < object.sections.size(); ++i) {
    const ElfSection &s = object.sections[i];
    if (s.relocs.empty()) continue;
    std::vector<uint8_t> data;
    for (const ElfReloc &r : s.relocs) {
      Elf64_Rel rel{};
      rel.r_offset = r.offset;
      rel.r_info = ELF64_R_INFO(symbol_index.at(r.symbol), R_BPF_64_64);
      append(data, rel);
    }
    size_t idx = add_section(".rel" + s.name, SHT_REL, 0, std::move(data), 8, sizeof(Elf64_Rel));
    headers[idx].sh_info = static_cast<uint32_t>(section_index[i]);
    rel_sections.push_back(idx);
  }
  std::vector<uint8_t> symtab;
  for (const Elf64_Sym &s : symbols)
    append(symtab, s);
  size_t symtab_index =
      add_section(".symtab", SHT_SYMTAB, 0, std::move(symtab), 8, sizeof(Elf64_Sym));
  headers[symtab_index].sh_info = 1; // every symbol after the null one is global
  for (size_t idx : rel_sections)
    headers[idx].sh_link = static_cast<uint32_t>(symtab_index);
  uint32_t strtab_name = strings.add(".strtab");
  size_t strtab_index = headers.size();
  headers[symtab_index].sh_link = static_cast<uint32_t>(strtab_index);
  Elf64_Shdr strtab{};
  strtab.sh_name = strtab_name;
  strtab.sh_type = SHT_STRTAB;
  strtab.sh_addralign = 1;
  headers.push_back(strtab);
  contents.push_back(strings.data());
  headers[strtab_index].sh_size = contents[strtab_index].size();

  std::vector<uint8_t> out(sizeof(Elf64_Ehdr), 0);
  for (size_t i = 1; i < headers.size(); ++i) {
    uint64_t align = headers[i].sh_addralign ? headers[i].sh_addralign : 1;
    while (out.size() % align)
      out.push_back(0);
    headers[i].sh_offset = out.size();
    out.insert(out.end(), contents[i].begin(), contents[i].end());
  }
  while (out.size() % 8)
    out.push_back(0);
  uint64_t shoff = out.size();
  for (const Elf64_Shdr &h : headers)
    append(out, h);

  Elf64_Ehdr eh{};
  std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
  eh.e_ident[EI_CLASS] = ELFCLASS64;
  eh.e_ident[EI_DATA] = ELFDATA2LSB;
  eh.e_ident[EI_VERSION] = EV_CURRENT;
  eh.e_ident[EI_OSABI] = ELFOSABI_NONE;
  eh.e_type = ET_REL;
  eh.e_machine = EM_BPF;
  eh.e_version = EV_CURRENT;
  eh.e_shoff = shoff;
  eh.e_ehsize = sizeof(Elf64_Ehdr);
  eh.e_shentsize = sizeof(Elf64_Shdr);
  eh.e_shnum = static_cast<uint16_t>(headers.size());
  eh.e_shstrndx = static_cast<uint16_t>(strtab_index);
  std::memcpy(out.data(), &eh, sizeof(eh));
  return out;
}

} // namespace xdpchain::compiler
