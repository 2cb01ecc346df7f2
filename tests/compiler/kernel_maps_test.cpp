// Every map kind and key/value shape the language allows, loaded into this kernel: the map
// is created with its BTF on the first try (libbpf prints "Retrying without BTF" when the
// kernel refuses a map's BTF), and typed maps carry key and value types the kernel kept.
#include "compiler_test_support.h"

#include "compiler/compile.h"

#include <gtest/gtest.h>

#include <linux/bpf.h>

using namespace xdpchain::compiler;
using namespace xdpchain::compiler::testing;

namespace {

struct MapShape {
  const char *name;
  const char *defmap; // options after the name
  bool typed;         // key and value types expected in the kernel's map info
};

const MapShape kShapes[] = {
    {"hash_k4_v8", ":type :hash :key-size 4 :value-size 8", true},
    {"hash_k4_v12", ":type :hash :key-size 4 :value-size 12", true},
    {"hash_k12_v8", ":type :hash :key-size 12 :value-size 8", true},
    {"hash_k1_v2", ":type :hash :key-size 1 :value-size 2", true},
    {"hash_k16_v24", ":type :hash :key-size 16 :value-size 24", true},
    {"hash_struct_value", ":type :hash :key-size 4 :value-type pair", true},
    {"hash_struct_both", ":type :hash :key-type flow :value-type pair", true},
    {"hash_struct_key_v12", ":type :hash :key-type flow :value-size 12", true},
    {"array_v8", ":type :array :key-size 4 :value-size 8", true},
    {"array_v12", ":type :array :key-size 4 :value-size 12", true},
    {"array_struct", ":type :array :key-size 4 :value-type pair", true},
    {"percpu_hash_v12", ":type :percpu-hash :key-size 4 :value-size 12", true},
    {"percpu_array_v8", ":type :percpu-array :key-size 4 :value-size 8", true},
    {"percpu_array_v12", ":type :percpu-array :key-size 4 :value-size 12", true},
    {"lru_hash_k8_v12", ":type :lru-hash :key-size 8 :value-size 12", true},
    {"lru_percpu_hash_v4", ":type :lru-percpu-hash :key-size 4 :value-size 4", true},
    {"lpm_sizes", ":type :lpm-trie :key-size 8 :value-size 8", false},
    {"lpm_sizes_v12", ":type :lpm-trie :key-size 8 :value-size 12", false},
    {"lpm_struct_key", ":type :lpm-trie :key-type prefix4 :value-size 4", true},
    {"lpm_struct_both", ":type :lpm-trie :key-type prefix4 :value-type pair", true},
    {"prog_array", ":type :prog-array :key-size 4 :value-size 4", false},
    {"ringbuf", ":type :ringbuf", false},
    {"devmap", ":type :devmap :key-size 4 :value-size 4", false},
    {"devmap_hash", ":type :devmap-hash :key-size 4 :value-size 4", false},
    {"cpumap", ":type :cpumap :key-size 4 :value-size 4", false},
    {"xskmap", ":type :xskmap :key-size 4 :value-size 4", false},
    {"stack_trace", ":type :stack-trace :key-size 4 :value-size 64", false},
    {"sockmap", ":type :sockmap :key-size 4 :value-size 4", false},
    {"sockhash", ":type :sockhash :key-size 4 :value-size 4", false},
};

std::string source_with_all_maps() {
  std::string source = R"(
(defstruct pair (a u32) (b u64))
(defstruct flow (saddr u32) (daddr u32) (port u16) (proto u8) (pad u8))
(defstruct prefix4 (prefixlen u32) (addr u32))
)";
  for (const MapShape &s : kShapes) {
    std::string name = s.name;
    for (char &c : name)
      if (c == '_') c = '-';
    std::string entries = name == "ringbuf" ? "4096" : name == "cpumap" ? "4" : "16";
    source += "(defmap " + name + " " + s.defmap + " :max-entries " + entries + ")\n";
  }
  return source + "(defprog p (:type :xdp) XDP_PASS)\n";
}

TEST(MapBtf, EveryMapKindAndShapeLoadsWithItsBtfOnTheFirstTry) {
  auto elf = compile_source(source_with_all_maps(), "maps.lisp");
  ASSERT_TRUE(elf.has_value()) << elf.error().str();
  auto obj = LoadedObject::load(*elf);
  ASSERT_TRUE(obj.has_value()) << obj.error().str(60);
  EXPECT_EQ(obj->log.find("Retrying without BTF"), std::string::npos) << obj->log;
  EXPECT_EQ(obj->log.find("Invalid argument"), std::string::npos) << obj->log;
  for (const MapShape &s : kShapes) {
    int fd = obj->map_fd(s.name);
    ASSERT_GE(fd, 0) << s.name;
    bpf_map_info info{};
    uint32_t len = sizeof(info);
    ASSERT_EQ(bpf_obj_get_info_by_fd(fd, &info, &len), 0) << s.name;
    if (s.typed) {
      EXPECT_NE(info.btf_id, 0u) << s.name << ": the map has no BTF";
      EXPECT_NE(info.btf_key_type_id, 0u) << s.name;
      EXPECT_NE(info.btf_value_type_id, 0u) << s.name;
    } else {
      EXPECT_EQ(info.btf_key_type_id, 0u) << s.name;
      EXPECT_EQ(info.btf_value_type_id, 0u) << s.name;
    }
  }
}

// The shape of the report in the issue: a 4-byte key and a 12-byte value, written and read
// back by the program through pointers.
TEST(MapBtf, TwelveByteValueMapIsUsableAndLoadsWithoutRetry) {
  auto elf = compile_source(R"(
(defstruct triple (a u32) (b u32) (c u32))
(defmap flows :type :hash :key-size 4 :value-size 12 :max-entries 8)
(defmap out :type :array :key-size 4 :value-size 8 :max-entries 1)
(defprog p (:type :xdp)
  (let ((v (make-triple)))
    (setf (triple-c v) 77)
    (map-update flows 5 v)
    (when-let ((found (map-lookup flows 5)))
      (setf (getmap out 0) (load u32 found 8))))
  XDP_PASS)
)",
                            "flows.lisp");
  ASSERT_TRUE(elf.has_value()) << elf.error().str();
  auto obj = LoadedObject::load(*elf);
  ASSERT_TRUE(obj.has_value()) << obj.error().str(60);
  EXPECT_EQ(obj->log.find("Retrying without BTF"), std::string::npos) << obj->log;
  EXPECT_EQ(test_run(obj->prog_fd("p"), make_packet({})).retval, XDP_PASS);
  EXPECT_EQ(map_u64(obj->map_fd("out"), 0), 77u);
  uint32_t key = 5;
  uint32_t value[3] = {};
  ASSERT_EQ(bpf_map_lookup_elem(obj->map_fd("flows"), &key, value), 0);
  EXPECT_EQ(value[2], 77u);
}

} // namespace
