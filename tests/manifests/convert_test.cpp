// convert(): validated manifests to dispatcher::ChainSpec, one per document.
#include "manifests/convert.h"

#include "compiler/object_cache.h"
#include "manifests/interface_selection.h"
#include "tests/manifests/manifest_test_util.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace xdpchain::manifests {
namespace {

using testing::kValidManifest;
using testing::parse_ok;

class TempDir {
public:
  TempDir() {
    char tmpl[] = "/tmp/xdpchain-manifests-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string &path() const { return path_; }

private:
  std::string path_;
};

std::vector<ChainTarget> convert_ok(const std::string &text, const ConvertOptions &options = {}) {
  ManifestFile file = parse_ok(text);
  EXPECT_TRUE(validate(file, testing::fake_system()).empty());
  auto targets = convert(file, options);
  EXPECT_TRUE(targets.has_value()) << (targets ? "" : targets.error().str());
  return targets ? *targets : std::vector<ChainTarget>{};
}

TEST(Convert, ObjectsPrioritiesAndActions) {
  auto targets = convert_ok(kValidManifest);
  ASSERT_EQ(targets.size(), 1u);
  const ChainTarget &target = targets[0];
  EXPECT_EQ(target.name, "edge");
  EXPECT_EQ(target.netns, "");
  EXPECT_EQ(target.origin, "/m/chain.yaml:1:1");
  const dispatcher::ChainSpec &spec = target.spec;
  EXPECT_EQ(spec.interface, "eth0");
  EXPECT_EQ(spec.mode, dispatcher::Mode::native);
  EXPECT_EQ(spec.backend, dispatcher::Backend::automatic);
  ASSERT_EQ(spec.members.size(), 3u);
  EXPECT_EQ(spec.members[0].label, "count");
  EXPECT_EQ(spec.members[0].object_path, "/m/progs/xdp_count.o"); // relative to /m
  EXPECT_EQ(spec.members[0].priority, 10);
  EXPECT_FALSE(spec.members[0].proceed_on.has_value()); // unset: the object's metadata decides
  EXPECT_EQ(spec.members[1].proceed_on, 1u << 2);       // XDP_PASS
  EXPECT_EQ(spec.members[2].object_path, "/m/progs/xdp_pass.o");
  EXPECT_FALSE(spec.members[2].priority.has_value());
  EXPECT_EQ(spec.members[2].program, "");
}

TEST(Convert, DefaultsAndExplicitSettings) {
  auto targets = convert_ok(R"(apiVersion: xdpchain.io/v1
kind: XdpChain
metadata: {name: b}
spec:
  interface: veth-b
  namespace: blue
  mode: generic
  backend: tailcall
  programs:
    - name: multi
      object: ./objs/../multi.o
      program: xdp_second
      proceedOn: [XDP_PASS, drop, tx]
      maps:
        - {name: counts, pin: /sys/fs/bpf/shared//counts}
        - {pinRoot: /sys/fs/bpf/shared}
)");
  ASSERT_EQ(targets.size(), 1u);
  const auto &spec = targets[0].spec;
  EXPECT_EQ(targets[0].netns, "blue");
  EXPECT_EQ(spec.mode, dispatcher::Mode::generic);
  EXPECT_EQ(spec.backend, dispatcher::Backend::tailcall);
  const auto &member = spec.members.at(0);
  EXPECT_EQ(member.object_path, "/m/multi.o");
  EXPECT_EQ(member.program, "xdp_second");
  EXPECT_EQ(member.proceed_on, (1u << 1) | (1u << 2) | (1u << 3));
  ASSERT_EQ(member.map_pins.size(), 1u);
  EXPECT_EQ(member.map_pins[0].map, "counts");
  EXPECT_EQ(member.map_pins[0].path, "/sys/fs/bpf/shared/counts");
  EXPECT_EQ(member.pin_root, "/sys/fs/bpf/shared");
}

TEST(Convert, CountersOnUnlessTheManifestTurnsThemOff) {
  const std::string off = R"(apiVersion: xdpchain.io/v1
kind: XdpChain
metadata: {name: f}
spec:
  interface: eth0
  backend: fused
  counters: false
  programs:
    - {name: pass, object: /m/progs/xdp_pass.o}
)";
  auto targets = convert_ok(off);
  ASSERT_EQ(targets.size(), 1u);
  EXPECT_EQ(targets[0].spec.backend, dispatcher::Backend::fused);
  EXPECT_EQ(targets[0].spec.counters, std::optional<bool>(false));
  std::string on = off;
  const std::string key = "  counters: false\n";
  on.erase(on.find(key), key.size());
  targets = convert_ok(on);
  ASSERT_EQ(targets.size(), 1u);
  EXPECT_EQ(targets[0].spec.counters, std::optional<bool>(true))
      << "a manifest is declarative: without the key it wants counters on";
}

TEST(Convert, EmptyProceedOnMeansNeverProceed) {
  auto targets = convert_ok("apiVersion: xdpchain.io/v1\nkind: XdpChain\nmetadata: {name: x}\n"
                            "spec:\n  interface: eth0\n  programs:\n"
                            "    - {name: a, object: a.o, proceedOn: []}\n");
  ASSERT_EQ(targets.size(), 1u);
  EXPECT_EQ(targets[0].spec.members.at(0).proceed_on, 0u);
}

TEST(Convert, OneChainPerDocument) {
  std::string text = std::string(kValidManifest) + "---\n" + R"(apiVersion: xdpchain.io/v1
kind: XdpChain
metadata: {name: second}
spec: {interface: eth1, programs: []}
)";
  auto targets = convert_ok(text);
  ASSERT_EQ(targets.size(), 2u);
  EXPECT_EQ(targets[1].name, "second");
  EXPECT_EQ(targets[1].spec.interface, "eth1");
  EXPECT_TRUE(targets[1].spec.members.empty());
  EXPECT_EQ(targets[1].origin, "/m/chain.yaml:20:1");
}

const char *kSourceManifest = R"(apiVersion: xdpchain.io/v1
kind: XdpChain
metadata: {name: lisp}
spec:
  interface: eth0
  programs:
    - name: filter
      source: filters/port.lisp
    - name: filter-again
      source: /m/filters/port.lisp
)";

TEST(Convert, SourcesAreCompiledOnceIntoTheContentAddressedCache) {
  TempDir cache;
  std::vector<std::string> compiled;
  ConvertOptions options;
  options.object_cache = cache.path();
  options.compile = [&](const std::string &path) -> Result<std::vector<uint8_t>> {
    compiled.push_back(path);
    return std::vector<uint8_t>{0x7f, 'E', 'L', 'F'};
  };
  auto targets = convert_ok(kSourceManifest, options);
  ASSERT_EQ(targets.size(), 1u);
  EXPECT_EQ(compiled, std::vector<std::string>{"/m/filters/port.lisp"});
  const auto &members = targets[0].spec.members;
  ASSERT_EQ(members.size(), 2u);
  EXPECT_EQ(members[0].object_path, members[1].object_path);
  EXPECT_EQ(members[0].object_path.rfind(cache.path() + "/", 0), 0u);
  std::ifstream in(members[0].object_path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(bytes, std::string("\x7f"
                               "ELF"));

  // The same bytes again: the same path, so apply sees an unchanged object.
  auto again = convert_ok(kSourceManifest, options);
  EXPECT_EQ(again.at(0).spec.members.at(0).object_path, members[0].object_path);
}

TEST(Convert, CompileErrorNamesThePositionAndKey) {
  TempDir cache;
  ConvertOptions options;
  options.object_cache = cache.path();
  options.compile = [](const std::string &path) -> Result<std::vector<uint8_t>> {
    return Error(ErrorKind::invalid_argument, path + ":3:7: unknown form 'defprogg'");
  };
  auto targets = convert(parse_ok(kSourceManifest), options);
  ASSERT_FALSE(targets.has_value());
  EXPECT_EQ(targets.error().str(), "/m/chain.yaml:8:15: key 'spec.programs[0].source': "
                                   "/m/filters/port.lisp:3:7: unknown form 'defprogg'");
}

TEST(ObjectCache, SameBytesSamePathDifferentBytesDifferentPath) {
  TempDir cache;
  auto a = compiler::store_object({1, 2, 3}, cache.path() + "/sub");
  auto b = compiler::store_object({1, 2, 3}, cache.path() + "/sub");
  auto c = compiler::store_object({1, 2, 4}, cache.path() + "/sub");
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(*a, *b);
  EXPECT_NE(*a, *c);
  EXPECT_EQ(std::filesystem::file_size(*c), 3u);
}

TEST(ObjectCache, AnObjectRemembersItsSource) {
  TempDir cache;
  ::setenv("XDPCHAIN_OBJECT_CACHE", cache.path().c_str(), 1);
  auto plain = compiler::store_object({1, 2, 3}, cache.path());
  auto from_a = compiler::store_object({1, 2, 3}, cache.path(), "/src/a.lisp");
  auto from_b = compiler::store_object({1, 2, 3}, cache.path(), "/src/b.lisp");
  auto again = compiler::store_object({1, 2, 3}, cache.path(), "/src/a.lisp");
  ASSERT_TRUE(plain && from_a && from_b && again);
  EXPECT_EQ(*from_a, *again);
  EXPECT_NE(*from_a, *from_b) << "same bytes, two sources: two objects";
  EXPECT_NE(*from_a, *plain);
  EXPECT_EQ(compiler::cached_object_source(*from_a), "/src/a.lisp");
  EXPECT_EQ(compiler::cached_object_source(*from_b), "/src/b.lisp");
  EXPECT_EQ(compiler::cached_object_source(*plain), std::nullopt);
  // Outside the cache a .source file next to an object means nothing.
  TempDir elsewhere;
  auto outside = compiler::store_object({1, 2, 3}, elsewhere.path(), "/src/a.lisp");
  ASSERT_TRUE(outside);
  EXPECT_EQ(compiler::cached_object_source(*outside), std::nullopt);
  // A read-only lookup finds the cached object of the same source, and stages the others.
  TempDir staging;
  auto found = compiler::find_object({1, 2, 3}, cache.path(), staging.path(), "/src/a.lisp");
  ASSERT_TRUE(found);
  EXPECT_EQ(*found, *from_a);
  auto staged = compiler::find_object({1, 2, 3}, cache.path(), staging.path(), "/src/c.lisp");
  ASSERT_TRUE(staged);
  EXPECT_EQ(staged->rfind(staging.path(), 0), 0u) << *staged;
  ::unsetenv("XDPCHAIN_OBJECT_CACHE");
}

TEST(ObjectCache, DefaultFollowsTheEnvironment) {
  ::setenv("XDPCHAIN_OBJECT_CACHE", "/tmp/somewhere", 1);
  EXPECT_EQ(compiler::default_object_cache(), "/tmp/somewhere");
  ::unsetenv("XDPCHAIN_OBJECT_CACHE");
  EXPECT_EQ(compiler::default_object_cache(), "/run/xdpchain/objects");
}

} // namespace
} // namespace xdpchain::manifests

namespace xdpchain::manifests {
namespace {

TEST(ConvertSelection, PatternsAndPrimaryStayPlainData) {
  std::string text = testing::kValidManifest;
  text.replace(text.find("  interface: eth0\n"), 18, "  interfaces: [eth0, 'ens*']\n");
  auto targets = convert_ok(text);
  ASSERT_EQ(targets.size(), 1u);
  EXPECT_EQ(targets[0].selection.patterns, (std::vector<std::string>{"eth0", "ens*"}));
  EXPECT_FALSE(targets[0].selection.primary);
  EXPECT_EQ(targets[0].spec.interface, "") << "resolved at apply time, not here";

  text = testing::kValidManifest;
  text.replace(text.find("  interface: eth0\n"), 18, "  interfaceSelector: {primary: true}\n");
  targets = convert_ok(text);
  ASSERT_EQ(targets.size(), 1u);
  EXPECT_TRUE(targets[0].selection.primary);
  EXPECT_TRUE(targets[0].selection.patterns.empty());
}

TEST(ConvertSelection, ASingleInterfaceNeedsNoResolving) {
  auto targets = convert_ok(testing::kValidManifest);
  ASSERT_EQ(targets.size(), 1u);
  EXPECT_FALSE(targets[0].selection.given());
  auto resolved = resolve_targets(targets);
  ASSERT_TRUE(resolved) << resolved.error().str();
  ASSERT_EQ(resolved->size(), 1u);
  EXPECT_EQ((*resolved)[0].spec.interface, "eth0");
}

} // namespace
} // namespace xdpchain::manifests
