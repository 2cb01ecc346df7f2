// parse(): YAML to plain structs with positions; only YAML syntax fails here.
#include "manifests/parse.h"

#include "tests/manifests/manifest_test_util.h"

#include <gtest/gtest.h>

namespace xdpchain::manifests {
namespace {

using testing::kManifestPath;
using testing::kValidManifest;
using testing::parse_ok;

TEST(Parse, KeepsValuesAndPositions) {
  ManifestFile file = parse_ok(kValidManifest);
  EXPECT_EQ(file.path, kManifestPath);
  ASSERT_EQ(file.documents.size(), 1u);
  const ChainManifest &doc = file.documents[0];
  EXPECT_EQ(doc.api_version.text, "xdpchain.io/v1");
  EXPECT_EQ(doc.api_version.mark.line, 1);
  EXPECT_EQ(doc.api_version.mark.column, 13);
  EXPECT_EQ(doc.kind_name.text, "XdpChain");
  EXPECT_EQ(doc.metadata.name.text, "edge");
  EXPECT_EQ(doc.spec.interface.text, "eth0");
  EXPECT_EQ(doc.spec.interface.mark.line, 6);
  EXPECT_EQ(doc.spec.interface.mark.column, 14);
  ASSERT_EQ(doc.spec.programs.items.size(), 3u);
  const ProgramManifest &drop = doc.spec.programs.items[1];
  EXPECT_EQ(drop.mark.line, 13);
  EXPECT_EQ(drop.mark.column, 7);
  EXPECT_EQ(drop.name.text, "drop-icmp");
  EXPECT_EQ(drop.object.text, "progs/xdp_drop_icmp.o");
  EXPECT_EQ(drop.priority.text, "20");
  EXPECT_EQ(drop.priority.mark.line, 15);
  EXPECT_EQ(drop.priority.mark.column, 17);
  ASSERT_EQ(drop.proceed_on.items.size(), 1u);
  EXPECT_EQ(drop.proceed_on.items[0].text, "pass");
  EXPECT_EQ(drop.proceed_on.items[0].mark.column, 19);
  EXPECT_EQ(drop.source.kind, NodeKind::absent);
}

TEST(Parse, RecordsKeysInOrderWithDuplicates) {
  ManifestFile file = parse_ok("spec:\n  mode: native\n  colour: red\n  mode: generic\n");
  const SpecManifest &spec = file.documents[0].spec;
  ASSERT_EQ(spec.keys.size(), 3u);
  EXPECT_EQ(spec.keys[1].name, "colour");
  EXPECT_EQ(spec.keys[2].mark.line, 4);
  EXPECT_EQ(spec.mode.text, "native"); // the first occurrence wins
}

TEST(Parse, NodeKindsAndQuoting) {
  ManifestFile file = parse_ok("spec:\n  interface:\n  mode: \"native\"\n  backend: [a]\n"
                               "  programs: {a: b}\n");
  const SpecManifest &spec = file.documents[0].spec;
  EXPECT_EQ(spec.interface.kind, NodeKind::null);
  EXPECT_EQ(spec.interface.mark.line, 2); // a null value takes its key's position
  EXPECT_EQ(spec.interface.mark.column, 3);
  EXPECT_EQ(spec.mode.kind, NodeKind::scalar);
  EXPECT_TRUE(spec.mode.quoted);
  EXPECT_EQ(spec.backend.kind, NodeKind::sequence);
  EXPECT_EQ(spec.programs.kind, NodeKind::map);
  EXPECT_EQ(spec.network_namespace.kind, NodeKind::absent);
}

TEST(Parse, SeveralDocumentsSkippingEmptyOnes) {
  ManifestFile file =
      parse_ok("---\n# nothing\n---\nkind: A\n---\n---\nkind: B\nspec: {interface: eth1}\n");
  ASSERT_EQ(file.documents.size(), 2u);
  EXPECT_EQ(file.documents[0].index, 0);
  EXPECT_EQ(file.documents[0].kind_name.text, "A");
  EXPECT_EQ(file.documents[1].index, 1);
  EXPECT_EQ(file.documents[1].mark.line, 7);
  EXPECT_EQ(file.documents[1].spec.interface.text, "eth1");
  EXPECT_EQ(file.documents[1].spec.interface.mark.column, 19);
}

TEST(Parse, SyntaxErrorNamesFileLineAndColumn) {
  auto file = parse_string("spec:\n  programs: [a,\n  mode: native\n", kManifestPath);
  ASSERT_FALSE(file.has_value());
  EXPECT_EQ(file.error().kind(), ErrorKind::invalid_argument);
  // yaml-cpp reports where it gave up: the end of the input, after the unclosed list.
  EXPECT_EQ(file.error().message(), "/m/chain.yaml:4:1: yaml: end of sequence flow not found");
}

TEST(Parse, BadIndentation) {
  auto file = parse_string("a: 1\n  b: 2\n", kManifestPath);
  ASSERT_FALSE(file.has_value());
  EXPECT_EQ(file.error().message(), "/m/chain.yaml:2:4: yaml: illegal map value");
}

TEST(Parse, MissingFile) {
  auto file = parse_file("/nonexistent/chain.yaml");
  ASSERT_FALSE(file.has_value());
  EXPECT_EQ(file.error().kind(), ErrorKind::not_found);
  EXPECT_EQ(file.error().str(),
            "manifest '/nonexistent/chain.yaml': open: No such file or directory");
}

} // namespace
} // namespace xdpchain::manifests
