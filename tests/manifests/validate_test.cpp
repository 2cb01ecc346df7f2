// validate(): one test per class of problem, checking the class, the position, the key and
// the message; plus that all problems of a file are reported together.
#include "manifests/validate.h"

#include "manifests/interface_selection.h"

#include "tests/manifests/manifest_test_util.h"

#include <gtest/gtest.h>

namespace xdpchain::manifests {
namespace {

using testing::expect_diagnostic;
using testing::kValidManifest;
using testing::only_diagnostic;
using testing::validate_text;

// kValidManifest with the unique text `from` replaced by `to`.
std::string edit(const std::string &from, const std::string &to) {
  std::string text = kValidManifest;
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  EXPECT_EQ(text.find(from, at + 1), std::string::npos) << from << " is not unique";
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// A chain of `count` programs on eth0 with the given backend; `programs:` is on line 7 and
// its list starts at 8:5.
std::string chain_of(int count, const std::string &backend) {
  std::string text = "apiVersion: xdpchain.io/v1\nkind: XdpChain\nmetadata:\n  name: big\n"
                     "spec:\n  interface: eth0\n  programs:\n";
  for (int i = 0; i < count; ++i)
    text += "    - name: p" + std::to_string(i) + "\n      object: p.o\n";
  text += "  backend: " + backend + "\n";
  return text;
}

TEST(Validate, ValidManifestHasNoDiagnostics) {
  EXPECT_TRUE(validate_text(kValidManifest).empty());
}

TEST(Validate, UnknownKeySuggestsTheKnownOne) {
  auto d = only_diagnostic(edit("      priority: 20", "      prioity: 20"));
  expect_diagnostic(d, Check::unknown_key, 15, 7, "spec.programs[1].prioity", "unknown key");
  EXPECT_EQ(d.hint, "did you mean 'priority'?");
}

TEST(Validate, UnknownTopLevelKeyListsTheKnownOnes) {
  auto d = only_diagnostic(std::string(kValidManifest) + "statos: {}\n");
  expect_diagnostic(d, Check::unknown_key, 19, 1, "statos", "unknown key");
  EXPECT_EQ(d.hint, "did you mean 'status'?");
}

// What `kubectl get xdpchain edge -o yaml` prints around the spec: accepted and ignored.
TEST(Validate, AcceptsWhatTheKubernetesApiServerAdds) {
  std::string text = edit("  name: edge\n", R"(  name: edge
  namespace: default
  uid: 9d1f2c4e-8a59-4c1e-b2a4-3f0c5f1e7a21
  resourceVersion: "48213"
  creationTimestamp: "2026-11-30T20:00:00Z"
  generation: 3
  labels:
    app.kubernetes.io/name: xdpchain
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: |
      {"apiVersion":"xdpchain.io/v1","kind":"XdpChain"}
  managedFields:
    - apiVersion: xdpchain.io/v1
      fieldsType: FieldsV1
      fieldsV1: {f:spec: {}}
      manager: kubectl-client-side-apply
      operation: Update
      time: "2026-11-30T20:00:00Z"
)") + "status:\n  observedGeneration: 3\n  conditions: []\n";
  EXPECT_TRUE(validate_text(text).empty()) << format_all(validate_text(text));
  EXPECT_EQ(testing::parse_ok(text).documents.at(0).metadata.name.text, "edge");
}

TEST(Validate, ForceIsABoolean) {
  EXPECT_TRUE(validate_text(edit("  mode: native\n", "  mode: native\n  force: true\n")).empty());
  auto d = only_diagnostic(edit("  mode: native\n", "  mode: native\n  force: yes-please\n"));
  expect_diagnostic(d, Check::wrong_type, 8, 10, "spec.force",
                    "expected true or false, got 'yes-please'");
}

TEST(Validate, CountersIsABooleanAndOffNeedsTheFusedBackend) {
  EXPECT_TRUE(
      validate_text(edit("  mode: native\n", "  mode: native\n  counters: true\n")).empty());
  EXPECT_TRUE(
      validate_text(edit("  backend: auto\n", "  backend: fused\n  counters: false\n")).empty());
  expect_diagnostic(only_diagnostic(edit("  mode: native\n", "  mode: native\n  counters: off\n")),
                    Check::wrong_type, 8, 13, "spec.counters", "expected true or false, got 'off'");
  expect_diagnostic(
      only_diagnostic(edit("  backend: auto\n", "  backend: tailcall\n  counters: false\n")),
      Check::conflict, 9, 13, "spec.counters",
      "counters: false needs backend: fused, not tailcall");
  // auto (also what a manifest without `backend` gets) never picks fused: refused too.
  expect_diagnostic(
      only_diagnostic(edit("  mode: native\n", "  mode: native\n  counters: false\n")),
      Check::conflict, 8, 13, "spec.counters", "counters: false needs backend: fused, not auto");
}

TEST(Validate, AMisspeltMetadataKeyIsStillAnError) {
  auto d = only_diagnostic(edit("  name: edge\n", "  name: edge\n  uuid: x\n"));
  EXPECT_EQ(d.check, Check::unknown_key);
  EXPECT_EQ(d.key, "metadata.uuid");
}

TEST(Validate, DuplicateKey) {
  auto d = only_diagnostic(edit("  mode: native\n", "  mode: native\n  mode: generic\n"));
  expect_diagnostic(d, Check::duplicate_key, 8, 3, "spec.mode", "duplicate key (first at 7:3)");
}

TEST(Validate, MissingRequiredKeyPointsAtItsParent) {
  auto d = only_diagnostic(edit("  interface: eth0\n", ""));
  expect_diagnostic(d, Check::missing_key, 6, 3, "spec.interface", "missing required key");
}

TEST(Validate, MissingObjectAndSource) {
  auto d = only_diagnostic(edit("      object: /m/progs/xdp_pass.o\n", ""));
  expect_diagnostic(d, Check::missing_key, 17, 7, "spec.programs[2]",
                    "missing 'object' or 'source'");
}

TEST(Validate, WrongTypeList) {
  auto d = only_diagnostic(edit("priority: 10", "priority: [10]"));
  expect_diagnostic(d, Check::wrong_type, 12, 17, "spec.programs[0].priority",
                    "expected an integer, got a list");
}

TEST(Validate, WrongTypeWord) {
  auto d = only_diagnostic(edit("priority: 10", "priority: ten"));
  expect_diagnostic(d, Check::wrong_type, 12, 17, "spec.programs[0].priority",
                    "expected an integer, got 'ten'");
}

TEST(Validate, WrongTypeQuotedNumberIsAString) {
  auto d = only_diagnostic(edit("priority: 10", "priority: \"10\""));
  expect_diagnostic(d, Check::wrong_type, 12, 17, "spec.programs[0].priority",
                    "expected an integer, got the string \"10\"");
}

TEST(Validate, WrongTypeMappingForString) {
  auto d = only_diagnostic(edit("  interface: eth0", "  interface: {name: eth0}"));
  expect_diagnostic(d, Check::wrong_type, 6, 14, "spec.interface",
                    "expected a string, got a mapping");
}

TEST(Validate, WrongTypeProceedOnScalar) {
  auto d = only_diagnostic(edit("proceedOn: [pass]", "proceedOn: pass"));
  expect_diagnostic(d, Check::wrong_type, 16, 18, "spec.programs[1].proceedOn",
                    "expected a list, got a scalar");
}

TEST(Validate, BadValueMode) {
  auto d = only_diagnostic(edit("mode: native", "mode: fast"));
  expect_diagnostic(d, Check::bad_value, 7, 9, "spec.mode",
                    "unknown mode 'fast', expected native or generic");
}

TEST(Validate, BadValueBackend) {
  auto d = only_diagnostic(edit("backend: auto", "backend: bpf"));
  expect_diagnostic(d, Check::bad_value, 8, 12, "spec.backend",
                    "unknown backend 'bpf', expected auto, freplace, tailcall or fused");
}

TEST(Validate, BadValueObjectName) {
  auto d = only_diagnostic(edit("name: edge", "name: Edge_1"));
  expect_diagnostic(d, Check::bad_value, 4, 9, "metadata.name", "invalid name 'Edge_1'");
}

TEST(Validate, BadValueProgramName) {
  auto d = only_diagnostic(edit("name: pass", "name: -pass"));
  expect_diagnostic(d, Check::bad_value, 17, 13, "spec.programs[2].name",
                    "invalid program name '-pass'");
}

TEST(Validate, BadValueSourceNotLisp) {
  auto d = only_diagnostic(edit("object: /m/progs/xdp_pass.o", "source: /m/progs/pass.c"));
  expect_diagnostic(d, Check::bad_value, 18, 15, "spec.programs[2].source",
                    "source '/m/progs/pass.c' is not a .lisp file");
}

TEST(Validate, MissingApiVersion) {
  auto d = only_diagnostic(edit("apiVersion: xdpchain.io/v1\n", ""));
  expect_diagnostic(d, Check::api_version, 1, 1, "apiVersion", "missing apiVersion");
  EXPECT_EQ(d.hint, "add 'apiVersion: xdpchain.io/v1'");
}

TEST(Validate, UnknownApiVersion) {
  auto d = only_diagnostic(edit("xdpchain.io/v1", "xdpchain.io/v2"));
  expect_diagnostic(d, Check::api_version, 1, 13, "apiVersion",
                    "unknown apiVersion 'xdpchain.io/v2', expected 'xdpchain.io/v1'");
}

TEST(Validate, MissingKind) {
  auto d = only_diagnostic(edit("kind: XdpChain\n", ""));
  expect_diagnostic(d, Check::kind, 1, 1, "kind", "missing kind");
}

TEST(Validate, UnknownKind) {
  auto d = only_diagnostic(edit("kind: XdpChain", "kind: XdpChains"));
  expect_diagnostic(d, Check::kind, 2, 7, "kind", "unknown kind 'XdpChains', expected 'XdpChain'");
}

TEST(Validate, DuplicateProgramName) {
  auto d = only_diagnostic(edit("name: pass", "name: count"));
  expect_diagnostic(d, Check::duplicate_name, 17, 13, "spec.programs[2].name",
                    "duplicate program name 'count' (first at 10:13)");
}

TEST(Validate, MissingObjectFileResolvedAgainstTheManifestFolder) {
  auto d = only_diagnostic(edit("progs/xdp_count.o", "progs/missing.o"));
  expect_diagnostic(d, Check::missing_file, 11, 15, "spec.programs[0].object",
                    "file not found: /m/progs/missing.o");
}

TEST(Validate, MissingSourceFile) {
  auto d = only_diagnostic(edit("object: progs/xdp_count.o", "source: ../missing.lisp"));
  expect_diagnostic(d, Check::missing_file, 11, 15, "spec.programs[0].source",
                    "file not found: /missing.lisp");
}

TEST(Validate, UnknownInterface) {
  auto d = only_diagnostic(edit("interface: eth0", "interface: eth9"));
  expect_diagnostic(d, Check::unknown_interface, 6, 14, "spec.interface",
                    "interface 'eth9' not found");
}

TEST(Validate, UnknownInterfaceInsideTheNamespace) {
  auto d = only_diagnostic(edit("  interface: eth0\n", "  namespace: blue\n  interface: eth0\n"));
  expect_diagnostic(d, Check::unknown_interface, 7, 14, "spec.interface",
                    "interface 'eth0' not found in network namespace 'blue'");
  EXPECT_TRUE(validate_text(edit("  interface: eth0\n", "  namespace: blue\n  interface: veth-b\n"))
                  .empty());
}

TEST(Validate, InterfaceNameTooLong) {
  auto d = only_diagnostic(edit("interface: eth0", "interface: an-interface-name"));
  expect_diagnostic(d, Check::bad_value, 6, 14, "spec.interface",
                    "interface name 'an-interface-name' is longer than 15 characters");
}

TEST(Validate, UnknownNamespace) {
  auto d = only_diagnostic(edit("  interface: eth0\n", "  interface: eth0\n  namespace: red\n"));
  expect_diagnostic(d, Check::unknown_namespace, 7, 14, "spec.namespace",
                    "network namespace 'red' not found (no /run/netns/red)");
}

TEST(Validate, TooManyProgramsForTailCalls) {
  EXPECT_TRUE(validate_text(chain_of(32, "tailcall")).empty());
  auto d = only_diagnostic(chain_of(33, "tailcall"));
  expect_diagnostic(d, Check::too_many_programs, 8, 5, "spec.programs",
                    "33 programs, but backend tailcall chains at most 32");
  EXPECT_EQ(d.hint, "the freplace backend chains up to 128");
}

TEST(Validate, TooManyProgramsForFreplace) {
  EXPECT_TRUE(validate_text(chain_of(128, "freplace")).empty());
  auto d = only_diagnostic(chain_of(129, "freplace"));
  expect_diagnostic(d, Check::too_many_programs, 8, 5, "spec.programs",
                    "129 programs, but backend freplace chains at most 128");
  auto automatic = only_diagnostic(chain_of(129, "auto"));
  EXPECT_EQ(automatic.check, Check::too_many_programs);
}

TEST(Validate, PriorityOutOfRange) {
  auto d = only_diagnostic(edit("priority: 20", "priority: 5000"));
  expect_diagnostic(d, Check::priority_range, 15, 17, "spec.programs[1].priority",
                    "priority 5000 out of range 0..1000");
  auto negative = only_diagnostic(edit("priority: 20", "priority: -1"));
  expect_diagnostic(negative, Check::priority_range, 15, 17, "spec.programs[1].priority",
                    "priority -1 out of range 0..1000");
}

TEST(Validate, UnknownAction) {
  auto d = only_diagnostic(edit("proceedOn: [pass]", "proceedOn: [pass, dorp]"));
  expect_diagnostic(d, Check::unknown_action, 16, 25, "spec.programs[1].proceedOn[1]",
                    "unknown action 'dorp'");
}

TEST(Validate, KernelActionNamesAreAccepted) {
  EXPECT_TRUE(
      validate_text(edit("proceedOn: [pass]", "proceedOn: [XDP_PASS, tx, Redirect]")).empty());
}

TEST(Validate, ObjectAndSourceTogether) {
  auto d = only_diagnostic(
      edit("      priority: 10\n", "      priority: 10\n      source: count.lisp\n"));
  expect_diagnostic(d, Check::conflict, 13, 15, "spec.programs[0].source",
                    "give either 'object' or 'source', not both");
}

TEST(Validate, OneInterfaceInTwoDocuments) {
  auto d = only_diagnostic(std::string(kValidManifest) + "---\n" +
                           edit("name: edge", "name: edge-again"));
  expect_diagnostic(d, Check::conflict, 25, 14, "spec.interface",
                    "interface 'eth0' already has a chain in this file (at 6:14)");
}

TEST(Validate, MapPins) {
  const std::string maps = "      maps:\n"
                           "        - name: proto_count\n"
                           "          pin: /sys/fs/bpf/edge/proto_count\n"
                           "        - pinRoot: /sys/fs/bpf/edge\n";
  EXPECT_TRUE(validate_text(edit("      priority: 10\n", "      priority: 10\n" + maps)).empty());
}

TEST(Validate, MapPinMustBeAbsolute) {
  auto d = only_diagnostic(edit("      priority: 10\n", "      priority: 10\n      maps:\n"
                                                        "        - name: proto_count\n"
                                                        "          pin: edge/proto_count\n"));
  expect_diagnostic(d, Check::bad_value, 15, 16, "spec.programs[0].maps[0].pin",
                    "'edge/proto_count' is not an absolute path");
}

TEST(Validate, MapEntryIsEitherAPinOrAPinRoot) {
  auto d = only_diagnostic(edit("      priority: 10\n", "      priority: 10\n      maps:\n"
                                                        "        - name: proto_count\n"
                                                        "          pinRoot: /sys/fs/bpf/x\n"));
  expect_diagnostic(d, Check::conflict, 15, 20, "spec.programs[0].maps[0].pinRoot",
                    "an entry has either 'name' and 'pin', or 'pinRoot'");
}

TEST(Validate, MapPinnedTwice) {
  auto d =
      only_diagnostic(edit("      priority: 10\n", "      priority: 10\n      maps:\n"
                                                   "        - {name: m, pin: /sys/fs/bpf/a}\n"
                                                   "        - {name: m, pin: /sys/fs/bpf/b}\n"));
  expect_diagnostic(d, Check::duplicate_name, 15, 18, "spec.programs[0].maps[1].name",
                    "map 'm' pinned twice (first at 14:18)");
}

TEST(Validate, DocumentThatIsNotAMapping) {
  auto d = only_diagnostic("- just\n- a list\n");
  EXPECT_EQ(d.check, Check::syntax);
  EXPECT_EQ(format(d), "/m/chain.yaml:1:1: document 1 is a list, expected a mapping (an XdpChain "
                       "object)");
}

TEST(Validate, FileWithoutDocuments) {
  auto d = only_diagnostic("# nothing here\n");
  EXPECT_EQ(format(d), "/m/chain.yaml:1:1: manifest has no documents");
}

TEST(Validate, EmptyProgramListIsAllowed) {
  EXPECT_TRUE(validate_text("apiVersion: xdpchain.io/v1\nkind: XdpChain\nmetadata: {name: x}\n"
                            "spec: {interface: eth0, programs: []}\n")
                  .empty());
}

TEST(Validate, CollectsEveryProblemSortedByPosition) {
  std::string text = R"(apiVersion: xdpchain.io/v9
kind: XdpChain
metadata:
  name: edge
spec:
  interface: eth9
  mode: fast
  programs:
    - name: a
      object: missing.o
      priority: 2000
    - name: a
      object: b.o
      proceedOn: [nope]
      colour: red
)";
  auto diagnostics = validate_text(text);
  std::vector<std::string> lines;
  for (const auto &d : diagnostics)
    lines.push_back(format(d));
  EXPECT_EQ(lines,
            (std::vector<std::string>{
                "/m/chain.yaml:1:13: key 'apiVersion': unknown apiVersion 'xdpchain.io/v9', "
                "expected 'xdpchain.io/v1'",
                "/m/chain.yaml:6:14: key 'spec.interface': interface 'eth9' not found",
                "/m/chain.yaml:7:9: key 'spec.mode': unknown mode 'fast', expected native or "
                "generic",
                "/m/chain.yaml:10:15: key 'spec.programs[0].object': file not found: /m/missing.o",
                "/m/chain.yaml:11:17: key 'spec.programs[0].priority': priority 2000 out of "
                "range 0..1000",
                "/m/chain.yaml:12:13: key 'spec.programs[1].name': duplicate program name 'a' "
                "(first at 9:13)",
                "/m/chain.yaml:14:19: key 'spec.programs[1].proceedOn[0]': unknown action 'nope'",
                "/m/chain.yaml:15:7: key 'spec.programs[1].colour': unknown key",
            }));
}

TEST(Validate, InterfaceLookupFailureIsReported) {
  auto options = testing::fake_system();
  options.interface_exists = [](const std::string &, const std::string &) -> Result<bool> {
    return Error(ErrorKind::kernel, "setns", EPERM);
  };
  auto diagnostics = validate(testing::parse_ok(kValidManifest), options);
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_EQ(format(diagnostics[0]),
            "/m/chain.yaml:6:14: key 'spec.interface': interface 'eth0': setns: Operation not "
            "permitted");
}

} // namespace
} // namespace xdpchain::manifests

namespace xdpchain::manifests {
namespace {

std::string selecting(const std::string &lines) {
  std::string text = testing::kValidManifest;
  text.replace(text.find("  interface: eth0\n"), 18, lines);
  return text;
}

TEST(ValidateSelection, NamesAndGlobPatternsAreAccepted) {
  EXPECT_TRUE(validate_text(selecting("  interfaces: [eth0, 'ens*', 'enp[0-9]s?']\n")).empty());
  EXPECT_TRUE(validate_text(selecting("  interfaceSelector:\n    primary: true\n")).empty());
}

TEST(ValidateSelection, EmptyListIsRejectedWithItsPosition) {
  auto d = only_diagnostic(selecting("  interfaces: []\n"));
  expect_diagnostic(d, Check::bad_value, 6, 15, "spec.interfaces", "must not be empty");
}

TEST(ValidateSelection, MalformedPatternsAreRejectedWithTheirPositions) {
  auto d = only_diagnostic(selecting("  interfaces: [eth0, 'en[s*']\n"));
  expect_diagnostic(d, Check::bad_value, 6, 22, "spec.interfaces[1]",
                    "interface pattern 'en[s*' has a '[' without its closing ']'");
  d = only_diagnostic(selecting("  interfaces:\n    - eth0\n    - 'a/b'\n"));
  expect_diagnostic(d, Check::bad_value, 8, 7, "spec.interfaces[1]",
                    "interface pattern 'a/b' holds '/', which no interface name can");
  d = only_diagnostic(selecting("  interfaces: [averyveryverylongname*]\n"));
  expect_diagnostic(d, Check::bad_value, 6, 16, "spec.interfaces[0]",
                    "interface pattern 'averyveryverylongname*' is longer than 15 characters");
  d = only_diagnostic(selecting("  interfaces: eth0\n"));
  expect_diagnostic(d, Check::wrong_type, 6, 15, "spec.interfaces",
                    "expected a list, got a scalar");
}

TEST(ValidateSelection, OnlyOneWayOfNamingInterfaces) {
  auto d = only_diagnostic(selecting("  interface: eth0\n  interfaces: [eth1]\n"));
  EXPECT_EQ(d.check, Check::conflict);
  EXPECT_EQ(d.message, "give only one of 'interface', 'interfaces' and 'interfaceSelector'");
}

TEST(ValidateSelection, PrimaryMustBeTrue) {
  auto d = only_diagnostic(selecting("  interfaceSelector:\n    primary: false\n"));
  expect_diagnostic(d, Check::bad_value, 7, 14, "spec.interfaceSelector.primary",
                    "expected true, got 'false'");
  auto misspelt = validate_text(selecting("  interfaceSelector:\n    primray: true\n"));
  ASSERT_EQ(misspelt.size(), 2u);
  EXPECT_EQ(misspelt[0].check, Check::unknown_key);
  EXPECT_EQ(misspelt[1].check, Check::missing_key);
}

TEST(ValidateSelection, PatternProblems) {
  EXPECT_FALSE(pattern_problem("eth*"));
  EXPECT_FALSE(pattern_problem("en[!x]*"));
  EXPECT_FALSE(pattern_problem("a[]]"));
  EXPECT_TRUE(pattern_problem(""));
  EXPECT_TRUE(pattern_problem("eth 0"));
  EXPECT_TRUE(pattern_problem("eth:0"));
}

} // namespace
} // namespace xdpchain::manifests
