// The messages an operator reads in the first hour speak in one voice: every error starts
// with "xdpchain:", a mistyped option or manifest key gets the closest one, counts have
// their plural, and help lists option values as words.
#include "tests/cli/operator_fixture.h"

#include <gmock/gmock.h>

namespace xdpchain::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using json = nlohmann::json;

using MessagesTest = OperatorTest;

TEST_F(MessagesTest, CommandLineErrorsHaveThePrefixAndASuggestion) {
  CommandResult r = run({"add", iface()});
  EXPECT_EQ(r.exit_code, 2) << r;
  EXPECT_THAT(r.err, StartsWith("xdpchain: add: object is required; `xdpchain help add` lists "
                                "its options\n"))
      << r;
  r = run({"status", iface(), "--jsn"});
  EXPECT_EQ(r.exit_code, 2) << r;
  EXPECT_THAT(r.err, StartsWith("xdpchain: status: ")) << r;
  EXPECT_THAT(r.err, HasSubstr("--jsn; did you mean '--json'?")) << r;
  r = run({"add", iface(), prog_path("xdp_pass"), "--prority", "5", "-j"});
  EXPECT_EQ(r.exit_code, 2) << r;
  EXPECT_THAT(json::parse(r.out)["error"]["message"].get<std::string>(),
              HasSubstr("did you mean '--priority'?"))
      << r;
}

TEST_F(MessagesTest, HelpListsOptionValuesAsWords) {
  CommandResult r = run({"add", "--help"});
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("--backend {auto,freplace,tailcall,fused}")) << r;
  EXPECT_THAT(r.out, HasSubstr("--counters {on,off}")) << r;
  EXPECT_THAT(r.out, Not(HasSubstr("ENUM"))) << r;
  EXPECT_THAT(r.out, Not(HasSubstr("->"))) << r;
  EXPECT_EQ(run({"add", iface(), prog_path("xdp_pass"), "--backend", "TailCall"}).exit_code, 0);
  EXPECT_EQ(cli_->status(iface())["backend"], "tailcall");
}

TEST_F(MessagesTest, RemoveWithoutALabelListsTheLabels) {
  for (const char *label : {"a", "b"})
    ASSERT_EQ(run({"add", iface(), prog_path("xdp_pass"), "--name", label, "--backend", "tailcall"})
                  .exit_code,
              0);
  CommandResult r = run({"remove", iface()});
  EXPECT_EQ(r.exit_code, 2) << r;
  EXPECT_THAT(r.err, HasSubstr("name the program to remove (a LABEL), or give --all")) << r;
  EXPECT_THAT(r.err, HasSubstr("hint: labels in the chain: a, b")) << r;
  EXPECT_EQ(cli_->status(iface())["programs"].size(), 2u);
}

TEST_F(MessagesTest, OneProgramIsSingular) {
  CommandResult r = run({"add", iface(), prog_path("xdp_pass"), "--backend", "tailcall"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr(iface() + ": 1 program, native mode")) << r;
  r = run({"add", iface(), prog_path("verdict_pass"), "--backend", "tailcall"});
  EXPECT_THAT(r.out, HasSubstr(iface() + ": 2 programs, native mode")) << r;
}

// The member's label, then the object and function: no "program 'x': program 'x'".
TEST_F(MessagesTest, ARefusedProgramIsNamedOnce) {
  for (const char *label : {"oob", "xdp_bad_access"}) {
    CommandResult r = run(
        {"add", iface(), prog_path("xdp_bad_access"), "--name", label, "--backend", "tailcall"});
    EXPECT_EQ(r.exit_code, 2) << r;
    EXPECT_THAT(r.err, HasSubstr("program '" + std::string(label) + "': object '" +
                                 prog_path("xdp_bad_access") +
                                 "', function 'xdp_bad_access': load as XDP program refused by "
                                 "the verifier"))
        << r;
    size_t named = 0;
    for (size_t at = 0; (at = r.err.find("program '", at)) != std::string::npos; ++at)
      ++named;
    EXPECT_EQ(named, 1u) << r;
  }
}

TEST_F(MessagesTest, MisspeltManifestKeysGetTheKnownOne) {
  std::string yaml = manifest("  programs:\n    - name: p\n      object: " + prog_path("xdp_pass") +
                              "\n      priorty: 5\n      proceedon: [pass]\n");
  CommandResult r = run({"apply", "-f", yaml, "--dry-run"});
  EXPECT_EQ(r.exit_code, 2) << r;
  EXPECT_THAT(r.err, HasSubstr("key 'spec.programs[0].priorty': unknown key; did you mean "
                               "'priority'?"))
      << r;
  EXPECT_THAT(r.err, HasSubstr("key 'spec.programs[0].proceedon': unknown key; did you mean "
                               "'proceedOn'?"))
      << r;
  r = run({"diff", "-f", yaml, "-j"});
  EXPECT_EQ(r.exit_code, 2) << r;
  EXPECT_THAT(json::parse(r.out)["error"]["problems"].dump(), HasSubstr("did you mean 'priority'?"))
      << r;
}

} // namespace
} // namespace xdpchain::test
