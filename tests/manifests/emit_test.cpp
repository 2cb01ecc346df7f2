// emit(): the manifest `export` writes must validate and convert back to the same spec.
#include "manifests/emit.h"

#include "manifests/convert.h"
#include "tests/manifests/manifest_test_util.h"

#include <gtest/gtest.h>

namespace xdpchain::manifests {
namespace {

dispatcher::ChainSpec sample_spec() {
  dispatcher::ChainSpec spec;
  spec.interface = "eth1";
  spec.mode = dispatcher::Mode::generic;
  spec.backend = dispatcher::Backend::tailcall;
  dispatcher::MemberSpec count;
  count.label = "count";
  count.object_path = "/m/progs/xdp_count.o";
  count.priority = 10;
  count.proceed_on = (1u << 2) | (1u << 3);
  count.map_pins = {{"proto_count", "/sys/fs/bpf/edge/proto_count"}};
  count.pin_root = "/sys/fs/bpf/edge";
  dispatcher::MemberSpec multi;
  multi.label = "multi.2";
  multi.object_path = "/m/progs/xdp multi.o"; // a space: must survive quoting
  multi.program = "xdp_second";
  multi.proceed_on = 0;
  spec.members = {count, multi};
  return spec;
}

bool same_member(const dispatcher::MemberSpec &a, const dispatcher::MemberSpec &b) {
  if (a.map_pins.size() != b.map_pins.size()) return false;
  for (size_t i = 0; i < a.map_pins.size(); ++i)
    if (a.map_pins[i].map != b.map_pins[i].map || a.map_pins[i].path != b.map_pins[i].path)
      return false;
  return a.label == b.label && a.object_path == b.object_path && a.program == b.program &&
         a.priority == b.priority && a.proceed_on == b.proceed_on && a.pin_root == b.pin_root;
}

TEST(Emit, RoundTripsThroughParseValidateConvert) {
  dispatcher::ChainSpec spec = sample_spec();
  EmitOptions options;
  options.comment = "exported by a test";
  std::string text = emit_manifest(spec, options);
  ManifestFile file = testing::parse_ok(text);
  auto diagnostics = validate(file, testing::fake_system());
  for (const auto &d : diagnostics)
    ADD_FAILURE() << format(d) << "\n" << text;
  auto targets = convert(file);
  ASSERT_TRUE(targets.has_value()) << targets.error().str();
  ASSERT_EQ(targets->size(), 1u);
  const auto &back = (*targets)[0];
  EXPECT_EQ(back.name, "eth1");
  EXPECT_EQ(back.spec.interface, spec.interface);
  EXPECT_EQ(back.spec.mode, spec.mode);
  EXPECT_EQ(back.spec.backend, spec.backend);
  ASSERT_EQ(back.spec.members.size(), spec.members.size());
  for (size_t i = 0; i < spec.members.size(); ++i)
    EXPECT_TRUE(same_member(back.spec.members[i], spec.members[i])) << i << "\n" << text;
}

TEST(Emit, CountersOffRoundTripsAndOnIsNotWritten) {
  dispatcher::ChainSpec spec = sample_spec();
  spec.backend = dispatcher::Backend::fused;
  spec.counters = false;
  std::string text = emit_manifest(spec, {});
  EXPECT_NE(text.find("  counters: false\n"), std::string::npos) << text;
  ManifestFile file = testing::parse_ok(text);
  EXPECT_TRUE(validate(file, testing::fake_system()).empty()) << text;
  auto targets = convert(file);
  ASSERT_TRUE(targets.has_value()) << targets.error().str();
  EXPECT_EQ(targets->at(0).spec.counters, std::optional<bool>(false));
  spec.counters = true;
  EXPECT_EQ(emit_manifest(spec, {}).find("counters"), std::string::npos);
}

TEST(Emit, ReadableShape) {
  dispatcher::ChainSpec spec;
  spec.interface = "veth-b";
  dispatcher::MemberSpec pass;
  pass.label = "pass";
  pass.object_path = "/m/xdp_pass.o";
  pass.priority = 30;
  pass.proceed_on = 1u << 2;
  spec.members = {pass};
  EmitOptions options;
  options.name = "edge";
  options.netns = "blue";
  EXPECT_EQ(emit_manifest(spec, options), R"(apiVersion: xdpchain.io/v1
kind: XdpChain
metadata:
  name: edge
spec:
  interface: veth-b
  namespace: blue
  mode: native
  backend: auto
  programs:
    - name: pass
      object: /m/xdp_pass.o
      priority: 30
      proceedOn: [pass]
)");
}

TEST(Emit, MemberCompiledFromASourceIsWrittenAsThatSource) {
  dispatcher::ChainSpec spec = sample_spec();
  spec.members[0].object_path = "/run/xdpchain/objects/00ff-12-34ab.o";
  EmitOptions options;
  options.source_of = [](const std::string &object) -> std::optional<std::string> {
    if (object == "/run/xdpchain/objects/00ff-12-34ab.o") return "/m/filters/count.lisp";
    return std::nullopt;
  };
  std::string text = emit_manifest(spec, options);
  EXPECT_NE(text.find("    - name: count\n      source: /m/filters/count.lisp\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("/run/xdpchain/objects"), std::string::npos) << text;
  EXPECT_NE(text.find("object: /m/progs/xdp multi.o"), std::string::npos) << text;
  EXPECT_TRUE(validate(testing::parse_ok(text), testing::fake_system()).empty()) << text;
}

TEST(Emit, EmptyChain) {
  dispatcher::ChainSpec spec;
  spec.interface = "eth0";
  std::string text = emit_manifest(spec);
  EXPECT_NE(text.find("programs: []"), std::string::npos) << text;
  EXPECT_TRUE(validate(testing::parse_ok(text), testing::fake_system()).empty()) << text;
}

TEST(Emit, ObjectNameForInterface) {
  EXPECT_EQ(object_name_for("eth0"), "eth0");
  EXPECT_EQ(object_name_for("Br_0"), "br-0");
  EXPECT_EQ(object_name_for("_x_"), "x");
  EXPECT_EQ(object_name_for("@"), "chain");
}

} // namespace
} // namespace xdpchain::manifests
