// Opening user objects (no kernel needed): choosing a program, section kinds, and libxdp's
// XDP_RUN_CONFIG metadata, on clang-built test programs (tests/progs).
#include "ext/program_object.h"

#include <gtest/gtest.h>

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
  EXPECT_NE(not_bpf.error().str().find("cannot open as a BPF object"), std::string::npos)
      << not_bpf.error().str();
}

} // namespace
} // namespace xdpchain::ext
