// Every example of seed 004 (tests/compiler/examples/seed004_*.lisp) compiles, opens with
// libbpf, loads into this kernel and behaves as the seed describes.
#include "compiler_test_support.h"

#include "compiler/compile.h"

#include <gtest/gtest.h>

using namespace xdpchain::compiler;
using namespace xdpchain::compiler::testing;

namespace {

std::string example(const std::string &name) {
  return std::string(XDPCHAIN_SOURCE_DIR) + "/tests/compiler/examples/" + name;
}

LoadedObject load_example(const std::string &name) {
  auto elf = compile_file(example(name));
  EXPECT_TRUE(elf.has_value()) << (elf ? "" : elf.error().str());
  auto obj = LoadedObject::load(elf ? *elf : std::vector<uint8_t>{});
  if (!obj) ADD_FAILURE() << obj.error().str(100);
  return std::move(*obj);
}

TEST(SeedExamples, DropAllDropsEverything) {
  LoadedObject obj = load_example("seed004_drop_all.lisp");
  int prog = obj.prog_fd("drop_all");
  ASSERT_GE(prog, 0);
  EXPECT_EQ(test_run(prog, make_packet({})).retval, XDP_DROP);
  EXPECT_STREQ(bpf_program__section_name(bpf_object__find_program_by_name(obj.get(), "drop_all")),
               "xdp");
}

TEST(SeedExamples, KprobeWithExplicitSectionLoads) {
  LoadedObject obj = load_example("seed004_trace_exec.lisp");
  bpf_program *prog = bpf_object__find_program_by_name(obj.get(), "trace_exec");
  ASSERT_NE(prog, nullptr);
  EXPECT_STREQ(bpf_program__section_name(prog), "kprobe/sys_execve");
  EXPECT_EQ(bpf_program__type(prog), BPF_PROG_TYPE_KPROBE);
  EXPECT_GE(bpf_program__fd(prog), 0);
}

TEST(SeedExamples, MultiProgramTailCallDispatchesToItsHandlers) {
  LoadedObject obj = load_example("seed004_multi_prog.lisp");
  int main_fd = obj.prog_fd("main");
  int dispatch = obj.map_fd("dispatch");
  ASSERT_GE(main_fd, 0);
  ASSERT_GE(dispatch, 0);
  EXPECT_EQ(test_run(main_fd, make_packet({})).retval, XDP_PASS); // empty slot falls through
  uint32_t slot = 0;
  int handler_b = obj.prog_fd("handler_b");
  ASSERT_EQ(bpf_map_update_elem(dispatch, &slot, &handler_b, BPF_ANY), 0);
  EXPECT_EQ(test_run(main_fd, make_packet({})).retval, XDP_DROP);
  int handler_a = obj.prog_fd("handler_a");
  ASSERT_EQ(bpf_map_update_elem(dispatch, &slot, &handler_a, BPF_ANY), 0);
  EXPECT_EQ(test_run(main_fd, make_packet({})).retval, XDP_PASS);
  EXPECT_STREQ(bpf_program__section_name(bpf_object__find_program_by_name(obj.get(), "handler_a")),
               "xdp/handler_a");
}

TEST(SeedExamples, TracepointRingbufExampleLoads) {
  LoadedObject obj = load_example("seed004_trace_sched.lisp");
  bpf_program *prog = bpf_object__find_program_by_name(obj.get(), "trace_sched");
  ASSERT_NE(prog, nullptr);
  EXPECT_EQ(bpf_program__type(prog), BPF_PROG_TYPE_TRACEPOINT);
  EXPECT_GE(bpf_program__fd(prog), 0);
  bpf_map *events = bpf_object__find_map_by_name(obj.get(), "events");
  ASSERT_NE(events, nullptr);
  EXPECT_EQ(bpf_map__type(events), BPF_MAP_TYPE_RINGBUF);
  EXPECT_EQ(bpf_map__max_entries(events), 256u * 1024u);
}

TEST(SeedExamples, DslReferenceExampleLoads) {
  LoadedObject obj = load_example("dsl_drop_port.lisp");
  EXPECT_EQ(test_run(obj.prog_fd("drop_port"), make_packet({.dst_port = 9999})).retval, XDP_DROP);
}

} // namespace
