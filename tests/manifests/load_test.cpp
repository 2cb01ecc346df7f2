// load_manifest(): a file on disk through parse, validate and convert; every problem of a
// broken file comes back, and nothing to apply.
#include "common/netns.h"
#include "manifests/load.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace xdpchain::manifests {
namespace {

class LoadTest : public ::testing::Test {
protected:
  void SetUp() override {
    char tmpl[] = "/tmp/xdpchain-load-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    std::ofstream(dir_ + "/pass.o") << "not really an object";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string write(const std::string &text) {
    std::string path = dir_ + "/chain.yaml";
    std::ofstream(path) << text;
    return path;
  }

  std::string dir_;
};

TEST_F(LoadTest, ValidFileOnTheLoopback) {
  std::string path =
      write("apiVersion: xdpchain.io/v1\nkind: XdpChain\nmetadata: {name: lo}\n"
            "spec:\n  interface: lo\n  programs:\n    - {name: p, object: pass.o}\n");
  LoadedManifest loaded = load_manifest(path);
  ASSERT_TRUE(loaded.ok()) << format(loaded.diagnostics.at(0));
  ASSERT_EQ(loaded.targets.size(), 1u);
  EXPECT_EQ(loaded.targets[0].spec.members.at(0).object_path, dir_ + "/pass.o");
}

TEST_F(LoadTest, EveryProblemAndNoTargets) {
  std::string path = write("apiVersion: xdpchain.io/v1\nkind: XdpChain\nmetadata: {name: lo}\n"
                           "spec:\n  interface: no-such-if0\n  programs:\n"
                           "    - {name: p, object: gone.o}\n");
  LoadedManifest loaded = load_manifest(path);
  EXPECT_FALSE(loaded.ok());
  EXPECT_TRUE(loaded.targets.empty());
  ASSERT_EQ(loaded.diagnostics.size(), 2u);
  EXPECT_EQ(format(loaded.diagnostics[0]),
            path + ":5:14: key 'spec.interface': interface 'no-such-if0' not found");
  EXPECT_EQ(format(loaded.diagnostics[1]),
            path + ":7:25: key 'spec.programs[0].object': file not found: " + dir_ + "/gone.o");
}

TEST_F(LoadTest, SyntaxError) {
  std::string path = write("spec: [\n");
  LoadedManifest loaded = load_manifest(path);
  ASSERT_EQ(loaded.diagnostics.size(), 1u);
  EXPECT_EQ(loaded.diagnostics[0].check, Check::syntax);
  EXPECT_EQ(format(loaded.diagnostics[0]).rfind(path + ":", 0), 0u)
      << format(loaded.diagnostics[0]);
}

TEST_F(LoadTest, LispSourcesGoThroughTheCompilerHook) {
  std::ofstream(dir_ + "/f.lisp") << "(defprog f (:type :xdp) XDP_PASS)\n";
  std::string path =
      write("apiVersion: xdpchain.io/v1\nkind: XdpChain\nmetadata: {name: lo}\n"
            "spec:\n  interface: lo\n  programs:\n    - {name: f, source: f.lisp}\n");
  LoadOptions options;
  options.convert.object_cache = dir_ + "/cache";
  options.convert.compile = [](const std::string &) -> Result<std::vector<uint8_t>> {
    return Error(ErrorKind::invalid_argument, "f.lisp:1:2: nope");
  };
  LoadedManifest loaded = load_manifest(path, options);
  ASSERT_EQ(loaded.diagnostics.size(), 1u);
  EXPECT_EQ(loaded.diagnostics[0].check, Check::convert);
  EXPECT_EQ(format(loaded.diagnostics[0]),
            path + ":7:25: key 'spec.programs[0].source': f.lisp:1:2: nope");
}

TEST(Netns, LookupsInTheCurrentNamespace) {
  auto lo = interface_index("lo", "");
  ASSERT_TRUE(lo.has_value());
  EXPECT_GT(*lo, 0u);
  auto none = interface_index("no-such-if0", "");
  ASSERT_TRUE(none.has_value());
  EXPECT_EQ(*none, 0u);
  auto bad = interface_index("lo", "no-such-netns-xdpchain");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().kind(), ErrorKind::not_found);
  EXPECT_FALSE(netns_exists("no-such-netns-xdpchain"));
  auto scope = NetnsScope::enter(""); // enters nothing
  EXPECT_TRUE(scope.has_value());
}

} // namespace
} // namespace xdpchain::manifests
