#include "ext/elf_check.h"

#include "ext/program_object.h"

#include <bpf/libbpf.h>
#include <elf.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace xdpchain::ext {

namespace {

Error malformed(const std::string &path, const std::string &what) {
  return Error(ErrorKind::invalid_argument, "object '" + path + "' is malformed: " + what);
}

// True when [offset, offset + size) lies inside a file of `file_size` bytes.
bool inside(uint64_t offset, uint64_t size, uint64_t file_size) {
  return offset <= file_size && size <= file_size - offset;
}

template <typename T> T read_at(std::string_view bytes, uint64_t offset) {
  T value;
  std::memcpy(&value, bytes.data() + offset, sizeof value);
  return value;
}

// A string table: inside the file and ending in NUL, so every name in it is terminated.
bool valid_string_table(std::string_view bytes, const Elf64_Shdr &sh) {
  return sh.sh_type == SHT_STRTAB && sh.sh_size > 0 && bytes[sh.sh_offset + sh.sh_size - 1] == '\0';
}

} // namespace

Status check_elf_structure(std::string_view bytes, const std::string &path) {
  const uint64_t size = bytes.size();
  if (size < sizeof(Elf64_Ehdr) || std::memcmp(bytes.data(), ELFMAG, SELFMAG) != 0)
    return malformed(path, "not an ELF file");
  auto eh = read_at<Elf64_Ehdr>(bytes, 0);
  if (eh.e_ident[EI_CLASS] != ELFCLASS64) return malformed(path, "not a 64-bit ELF file");
  if (eh.e_ident[EI_DATA] != ELFDATA2LSB && eh.e_ident[EI_DATA] != ELFDATA2MSB)
    return malformed(path, "unknown ELF byte order");
  if (eh.e_ident[EI_DATA] !=
      (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? ELFDATA2LSB : ELFDATA2MSB))
    return malformed(path, "ELF byte order differs from this machine's");
  if (eh.e_machine != EM_BPF) return malformed(path, "not a BPF object (ELF machine is not BPF)");
  if (eh.e_type != ET_REL) return malformed(path, "not a relocatable object (ET_REL)");
  if (eh.e_ehsize != sizeof(Elf64_Ehdr)) return malformed(path, "bad ELF header size");
  if (eh.e_shentsize != sizeof(Elf64_Shdr)) return malformed(path, "bad section header size");
  if (eh.e_shnum == 0 || eh.e_shnum >= SHN_LORESERVE)
    return malformed(path, "no section table (or an extended one)");
  if (!inside(eh.e_shoff, uint64_t(eh.e_shnum) * sizeof(Elf64_Shdr), size))
    return malformed(path, "section table lies outside the file");
  if (eh.e_shstrndx == SHN_UNDEF || eh.e_shstrndx >= eh.e_shnum)
    return malformed(path, "section name table index out of range");

  std::vector<Elf64_Shdr> sections(eh.e_shnum);
  for (size_t i = 0; i < sections.size(); ++i) {
    sections[i] = read_at<Elf64_Shdr>(bytes, eh.e_shoff + i * sizeof(Elf64_Shdr));
    const Elf64_Shdr &sh = sections[i];
    if (i != 0 && sh.sh_type != SHT_NOBITS && !inside(sh.sh_offset, sh.sh_size, size))
      return malformed(path, "section " + std::to_string(i) + " lies outside the file");
    if (sh.sh_link >= eh.e_shnum)
      return malformed(path, "section " + std::to_string(i) + " links to a missing section");
  }
  const Elf64_Shdr &names = sections[eh.e_shstrndx];
  if (!valid_string_table(bytes, names))
    return malformed(path, "section name table is not a terminated string table");
  for (size_t i = 1; i < sections.size(); ++i)
    if (sections[i].sh_name >= names.sh_size)
      return malformed(path, "section " + std::to_string(i) + "'s name lies outside its table");

  for (size_t i = 1; i < sections.size(); ++i) {
    const Elf64_Shdr &sh = sections[i];
    const std::string where = "section " + std::to_string(i);
    if (sh.sh_type == SHT_SYMTAB) {
      if (sh.sh_entsize != sizeof(Elf64_Sym) || sh.sh_size % sizeof(Elf64_Sym) != 0)
        return malformed(path, where + ": bad symbol entry size");
      const Elf64_Shdr &strings = sections[sh.sh_link];
      if (!valid_string_table(bytes, strings))
        return malformed(path, where + ": symbol names are not in a terminated string table");
      for (uint64_t off = 0; off < sh.sh_size; off += sizeof(Elf64_Sym)) {
        auto sym = read_at<Elf64_Sym>(bytes, sh.sh_offset + off);
        if (sym.st_name >= strings.sh_size)
          return malformed(path, where + ": a symbol's name lies outside its table");
        if (sym.st_shndx >= eh.e_shnum && sym.st_shndx < SHN_LORESERVE)
          return malformed(path, where + ": a symbol refers to a missing section");
      }
    } else if (sh.sh_type == SHT_REL || sh.sh_type == SHT_RELA) {
      const uint64_t entry = sh.sh_type == SHT_REL ? sizeof(Elf64_Rel) : sizeof(Elf64_Rela);
      if (sh.sh_entsize != entry || sh.sh_size % entry != 0)
        return malformed(path, where + ": bad relocation entry size");
      const Elf64_Shdr &symbols = sections[sh.sh_link];
      if (symbols.sh_type != SHT_SYMTAB)
        return malformed(path, where + ": relocations do not refer to a symbol table");
      if (sh.sh_info >= eh.e_shnum)
        return malformed(path, where + ": relocations apply to a missing section");
      const uint64_t symbol_count = symbols.sh_size / sizeof(Elf64_Sym);
      const Elf64_Shdr &target = sections[sh.sh_info];
      for (uint64_t off = 0; off < sh.sh_size; off += entry) {
        auto rel = read_at<Elf64_Rel>(bytes, sh.sh_offset + off);
        if (ELF64_R_SYM(rel.r_info) >= symbol_count)
          return malformed(path, where + ": a relocation names a missing symbol");
        if (target.sh_type != SHT_NOBITS && rel.r_offset >= target.sh_size)
          return malformed(path, where + ": a relocation lies outside its section");
      }
    }
  }
  return {};
}

constexpr int kChildLibbpfError = 42;

Status parse_in_child(std::string_view bytes, const std::string &path) {
  pid_t child = fork();
  if (child < 0) return Error::from_errno("fork to check object '" + path + "'", errno);
  if (child == 0) {
    // Only the parse: quiet, bounded in time, no core dump.
    libbpf_set_print(nullptr);
    alarm(10);
    LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = "check");
    bpf_object *obj = bpf_object__open_mem(bytes.data(), bytes.size(), &opts);
    if (libbpf_get_error(obj)) _exit(kChildLibbpfError);
    // libxdp's parse of XDP_RUN_CONFIG, as ProgramObject::open does it for the chosen program.
    bpf_program *prog;
    bpf_object__for_each_program(prog, obj) read_run_config(obj, bpf_program__name(prog));
    _exit(0);
  }
  int status = 0;
  while (waitpid(child, &status, 0) < 0)
    if (errno != EINTR) return Error::from_errno("wait for the object check", errno);
  // A signal, or any other exit (a sanitizer's report on a crash exits with 1).
  if (!WIFEXITED(status) || (WEXITSTATUS(status) != 0 && WEXITSTATUS(status) != kChildLibbpfError))
    return Error(ErrorKind::invalid_argument,
                 "object '" + path + "' is malformed (the BPF library could not parse it)");
  return {};
}

} // namespace xdpchain::ext
