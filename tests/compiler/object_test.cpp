// The emitted ELF, checked with libbpf and without a kernel: it opens, has the programs,
// maps, BTF prototypes, func_info and line_info, and links with bpf_linker.
#include "compiler_test_support.h"

#include "compiler/compile.h"

#include <gtest/gtest.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/btf.h>

#include <fstream>

using namespace xdpchain::compiler;
using namespace xdpchain::compiler::testing;

namespace {

const char *kSource = R"(
(defstruct event (pid u32) (ts u64))
(defmap counts :type :hash :key-size 4 :value-size 8 :max-entries 16)
(defmap events :type :ringbuf :max-entries 4096)
(defmap jumps :type :prog-array :key-size 4 :value-size 4 :max-entries 2)
(defprog first (:priority 10)
  (incf (getmap counts 1))
  XDP_PASS)
(defprog second (:type :xdp :section "xdp")
  (tail-call jumps 0)
  XDP_DROP)
(defprog sock (:type :socket-filter)
  0)
)";

struct Opened {
  std::vector<uint8_t> elf;
  bpf_object *obj = nullptr;
  ~Opened() { bpf_object__close(obj); }
};

TEST(EmittedObject, OpensWithLibbpfWithProgramsAndMaps) {
  Opened o;
  o.elf = compile_ok(kSource);
  o.obj = bpf_object__open_mem(o.elf.data(), o.elf.size(), nullptr);
  ASSERT_NE(o.obj, nullptr);
  bpf_program *first = bpf_object__find_program_by_name(o.obj, "first");
  bpf_program *second = bpf_object__find_program_by_name(o.obj, "second");
  bpf_program *sock = bpf_object__find_program_by_name(o.obj, "sock");
  ASSERT_TRUE(first && second && sock);
  EXPECT_EQ(bpf_program__type(first), BPF_PROG_TYPE_XDP);
  EXPECT_EQ(bpf_program__type(sock), BPF_PROG_TYPE_SOCKET_FILTER);
  EXPECT_STREQ(bpf_program__section_name(second), "xdp");
  bpf_map *counts = bpf_object__find_map_by_name(o.obj, "counts");
  ASSERT_NE(counts, nullptr);
  EXPECT_EQ(bpf_map__type(counts), BPF_MAP_TYPE_HASH);
  EXPECT_EQ(bpf_map__key_size(counts), 4u);
  EXPECT_EQ(bpf_map__value_size(counts), 8u);
  EXPECT_EQ(bpf_map__max_entries(counts), 16u);
  bpf_map *jumps = bpf_object__find_map_by_name(o.obj, "jumps");
  ASSERT_NE(jumps, nullptr);
  EXPECT_EQ(bpf_map__type(jumps), BPF_MAP_TYPE_PROG_ARRAY);
  EXPECT_EQ(bpf_map__type(bpf_object__find_map_by_name(o.obj, "events")), BPF_MAP_TYPE_RINGBUF);
}

TEST(EmittedObject, XdpProgramsAreGlobalFunctionsTakingStructXdpMd) {
  Opened o;
  o.elf = compile_ok(kSource);
  o.obj = bpf_object__open_mem(o.elf.data(), o.elf.size(), nullptr);
  ASSERT_NE(o.obj, nullptr);
  btf *b = bpf_object__btf(o.obj);
  ASSERT_NE(b, nullptr);
  for (const char *name : {"first", "second"}) {
    int id = btf__find_by_name_kind(b, name, BTF_KIND_FUNC);
    ASSERT_GT(id, 0) << name;
    const btf_type *func = btf__type_by_id(b, id);
    EXPECT_EQ(btf_vlen(func), BTF_FUNC_GLOBAL);
    const btf_type *proto = btf__type_by_id(b, func->type);
    ASSERT_EQ(btf_vlen(proto), 1);
    EXPECT_STREQ(btf__name_by_offset(b, btf__type_by_id(b, proto->type)->name_off), "int");
    const btf_type *ptr = btf__type_by_id(b, btf_params(proto)[0].type);
    ASSERT_TRUE(btf_is_ptr(ptr));
    const btf_type *xdp_md = btf__type_by_id(b, ptr->type);
    ASSERT_TRUE(btf_is_struct(xdp_md)) << "a forward declaration is not enough for freplace";
    EXPECT_STREQ(btf__name_by_offset(b, xdp_md->name_off), "xdp_md");
    EXPECT_EQ(xdp_md->size, 24u);
  }
  EXPECT_GT(btf__find_by_name_kind(b, "event", BTF_KIND_STRUCT), 0);
  EXPECT_GT(btf__find_by_name_kind(b, ".xdp_run_config", BTF_KIND_DATASEC), 0);
  EXPECT_GT(btf__find_by_name_kind(b, "_first", BTF_KIND_VAR), 0);
}

TEST(EmittedObject, HasFuncInfoAndLineInfoPointingAtTheSource) {
  Opened o;
  o.elf = compile_ok(kSource, "lines.lisp");
  o.obj = bpf_object__open_mem(o.elf.data(), o.elf.size(), nullptr);
  ASSERT_NE(o.obj, nullptr);
  bpf_program *first = bpf_object__find_program_by_name(o.obj, "first");
  ASSERT_NE(first, nullptr);
  // libbpf hands func_info/line_info to the kernel only after load; check the raw
  // .BTF.ext through the BTF strings instead: the file name and source lines are there.
  btf *b = bpf_object__btf(o.obj);
  bool file = false, line = false;
  for (uint32_t off = 1; off < 1 << 16;) {
    const char *s = btf__str_by_offset(b, off);
    if (!s) break;
    file |= std::string(s) == "lines.lisp";
    line |= std::string(s) == "  (incf (getmap counts 1))";
    off += std::string(s).size() + 1;
  }
  EXPECT_TRUE(file);
  EXPECT_TRUE(line);
}

TEST(EmittedObject, LinksWithBpfLinker) {
  std::vector<uint8_t> elf = compile_ok(kSource);
  std::string in = "/tmp/xdpchain_compiler_link_in.o", out = "/tmp/xdpchain_compiler_link_out.o";
  std::ofstream(in, std::ios::binary).write(reinterpret_cast<const char *>(elf.data()), elf.size());
  bpf_linker *linker = bpf_linker__new(out.c_str(), nullptr);
  ASSERT_NE(linker, nullptr);
  EXPECT_EQ(bpf_linker__add_file(linker, in.c_str(), nullptr), 0);
  EXPECT_EQ(bpf_linker__finalize(linker), 0);
  bpf_linker__free(linker);
  bpf_object *obj = bpf_object__open_file(out.c_str(), nullptr);
  ASSERT_NE(obj, nullptr);
  EXPECT_NE(bpf_object__find_program_by_name(obj, "first"), nullptr);
  bpf_object__close(obj);
}

TEST(EmittedObject, CompilationIsDeterministic) {
  EXPECT_EQ(compile_ok(kSource), compile_ok(kSource));
}

} // namespace
