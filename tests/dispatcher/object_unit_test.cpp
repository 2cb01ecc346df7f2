// Opening user objects (no kernel needed): choosing a program, section kinds, and libxdp's
// XDP_RUN_CONFIG metadata, on clang-built test programs (tests/progs).
#include "ext/elf_check.h"
#include "ext/program_object.h"

#include <elf.h>

#include <gtest/gtest.h>

#include <cstddef>
#include <cstring>
#include <fstream>
#include <iterator>

namespace xdpchain::ext {
namespace {

std::string prog(const std::string &name) {
  return std::string(XDPCHAIN_PROGS_DIR) + "/" + name;
}

Result<ProgramObject> open(const std::string &name, const std::string &program = "") {
  return ProgramObject::open(prog(name), {program, "", {}});
}

TEST(ProgramObject, ReadsRunConfigMetadata) {
  auto object = open("xdp_run_config.o");
  ASSERT_TRUE(object.has_value()) << object.error().str();
  ASSERT_TRUE(object->run_config().priority.has_value());
  EXPECT_EQ(*object->run_config().priority, 15);
  EXPECT_EQ(object->run_config().proceed_on.value_or(0), (1u << XDP_PASS) | (1u << XDP_DROP));
}

TEST(ProgramObject, NoMetadataMeansUnset) {
  auto object = open("xdp_pass.o");
  ASSERT_TRUE(object.has_value()) << object.error().str();
  EXPECT_FALSE(object->run_config().priority.has_value());
  EXPECT_FALSE(object->run_config().proceed_on.has_value());
  EXPECT_EQ(object->program_name(), "xdp_pass");
}

TEST(ProgramObject, SeveralProgramsNeedAName) {
  auto unnamed = open("xdp_multi.o");
  ASSERT_FALSE(unnamed.has_value());
  const std::string message = unnamed.error().str();
  EXPECT_NE(message.find("several XDP programs"), std::string::npos) << message;
  ASSERT_FALSE(unnamed.error().hints().empty());
  EXPECT_NE(unnamed.error().hints()[0].find("handler_pass"), std::string::npos);

  auto named = open("xdp_multi.o", "handler_drop_icmp");
  ASSERT_TRUE(named.has_value()) << named.error().str();
  EXPECT_EQ(named->program_name(), "handler_drop_icmp");

  auto missing = open("xdp_multi.o", "nope");
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().str().find("no program 'nope'"), std::string::npos);
}

TEST(ProgramObject, SectionKinds) {
  auto frags = open("xdp_frags.o");
  ASSERT_TRUE(frags.has_value());
  EXPECT_TRUE(frags->frags());
  EXPECT_FALSE(frags->declared_extension());
  auto ext = open("freplace_style.o");
  ASSERT_TRUE(ext.has_value()) << ext.error().str();
  EXPECT_TRUE(ext->declared_extension());
  EXPECT_FALSE(ext->frags());
}

TEST(ProgramObject, ContentHashTellsFilesApart) {
  auto a = open("xdp_pass.o");
  auto b = open("xdp_pass.o");
  auto c = open("xdp_drop_icmp.o");
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(a->content_hash(), b->content_hash());
  EXPECT_NE(a->content_hash(), c->content_hash());
}

TEST(ProgramObject, MissingOrNonBpfFilesAreClearErrors) {
  auto missing = ProgramObject::open("/nonexistent/x.o", {});
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().str().find("/nonexistent/x.o"), std::string::npos);
  auto not_bpf = ProgramObject::open("/etc/hostname", {});
  ASSERT_FALSE(not_bpf.has_value());
  EXPECT_EQ(not_bpf.error().kind(), ErrorKind::invalid_argument);
  EXPECT_NE(not_bpf.error().str().find("object '/etc/hostname' is malformed: not an ELF file"),
            std::string::npos)
      << not_bpf.error().str();
}

std::string read_bytes(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The structural pre-check refuses damage libbpf 1.1 does not check for, naming it.
TEST(ElfCheck, RefusesStructuralDamage) {
  const std::string good = read_bytes(prog("xdp_count.o"));
  ASSERT_TRUE(check_elf_structure(good, "good.o")) << "the built object must pass";
  Elf64_Ehdr eh;
  std::memcpy(&eh, good.data(), sizeof eh);
  auto refused = [](const std::string &bytes, const std::string &words) {
    Status status = check_elf_structure(bytes, "bad.o");
    if (status) return std::string("accepted");
    if (status.error().kind() != ErrorKind::invalid_argument) return std::string("not exit 2");
    if (status.error().str().find(words) == std::string::npos) return status.error().str();
    return std::string();
  };
  EXPECT_EQ(refused(good.substr(0, good.size() / 2), "section table lies outside the file"), "");
  std::string shoff = good;
  eh.e_shoff = good.size();
  std::memcpy(shoff.data(), &eh, sizeof eh);
  EXPECT_EQ(refused(shoff, "section table lies outside the file"), "");
  // Every symbol's section index, then every section's name offset, out of range.
  std::memcpy(&eh, good.data(), sizeof eh);
  std::string symbols = good, names = good;
  for (size_t i = 0; i < eh.e_shnum; ++i) {
    Elf64_Shdr sh;
    const size_t at = eh.e_shoff + i * sizeof sh;
    std::memcpy(&sh, good.data() + at, sizeof sh);
    if (sh.sh_type == SHT_SYMTAB)
      for (size_t off = sh.sh_offset + sizeof(Elf64_Sym); off < sh.sh_offset + sh.sh_size;
           off += sizeof(Elf64_Sym)) {
        uint16_t missing = eh.e_shnum + 1;
        std::memcpy(symbols.data() + off + offsetof(Elf64_Sym, st_shndx), &missing, 2);
      }
    uint32_t far = 0x7fffffff;
    std::memcpy(names.data() + at + offsetof(Elf64_Shdr, sh_name), &far, 4);
  }
  EXPECT_EQ(refused(symbols, "a symbol refers to a missing section"), "");
  EXPECT_EQ(refused(names, "name lies outside its table"), "");
}

// Special files are never read as objects: refused at once, without blocking.
TEST(ProgramObject, SpecialFilesAreRefused) {
  for (const char *path : {"/dev/zero", "/proc/self/mem", "/tmp"}) {
    auto object = ProgramObject::open(path, {});
    ASSERT_FALSE(object.has_value()) << path;
    EXPECT_EQ(object.error().kind(), ErrorKind::invalid_argument) << object.error().str();
  }
}

} // namespace
} // namespace xdpchain::ext
