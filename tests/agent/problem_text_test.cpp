// What the agent publishes of a manifest's problems (agent/problem_text.h): positions, key
// names and plain words only, cut and capped, whatever the file holds.
#include "agent/config_dir.h"
#include "agent/problem_text.h"

#include <gtest/gtest.h>

namespace xdpchain::agent {
namespace {

const std::string kSecretLine = "root:$6$saltsalt$Sup3rSecretHashValue:19000:0:99999:7:::";

TEST(ProblemText, FileContentNeverAppears) {
  // The agent reading a file that is not a manifest at all, as a symlink to a secret file
  // would make it do: every problem it would publish.
  std::string text;
  for (int i = 0; i < 50; ++i)
    text += kSecretLine + "\n";
  auto loaded = load_agent_manifest(text, "/etc/xdpchain/x.yaml", "/sys/fs/bpf/xdpchain");
  ASSERT_FALSE(loaded.ok());
  for (const auto &line : safe_problem_list(loaded.diagnostics)) {
    EXPECT_EQ(line.find("Sup3rSecret"), std::string::npos) << line;
    EXPECT_EQ(line.find("19000"), std::string::npos) << line;
    EXPECT_EQ(line.find("$6$"), std::string::npos) << line;
  }
  // The same as a mapping key and as a value.
  loaded = load_agent_manifest("apiVersion: xdpchain.io/v1\nkind: XdpChain\nmetadata:\n  name: a\n"
                               "spec:\n  interface: eth0\n  mode: '" +
                                   kSecretLine + "'\n  '" + kSecretLine + "': 1\n",
                               "/etc/xdpchain/x.yaml", "/sys/fs/bpf/xdpchain");
  ASSERT_FALSE(loaded.ok());
  for (const auto &line : safe_problem_list(loaded.diagnostics))
    EXPECT_EQ(line.find("Sup3rSecret"), std::string::npos) << line;
}

TEST(ProblemText, KeysAndPlainWordsStayCutToABound) {
  manifests::Diagnostic d{manifests::Check::bad_value,
                          "/etc/xdpchain/a.yaml",
                          {16, 17},
                          "spec.programs[1].priority",
                          "expected an integer, got 'high'",
                          "h"};
  EXPECT_EQ(safe_problem_text(d), "/etc/xdpchain/a.yaml:16:17: key 'spec.programs[1].priority': "
                                  "expected an integer, got 'high'");
  d.key = std::string(200, 'k');
  d.message = "unknown mode '" + std::string(100, 'x') + "'";
  std::string text = safe_problem_text(d);
  EXPECT_NE(text.find("key '" + std::string(kMaxQuotedChars, 'k') + "...'"), std::string::npos);
  EXPECT_NE(text.find("unknown mode '(not shown)'"), std::string::npos) << text;
  d.message = std::string(1000, 'm');
  EXPECT_LE(safe_problem_text(d).size(), 400u);
}

TEST(ProblemText, AtMostTenProblemsAndACountOfTheRest) {
  std::vector<manifests::Diagnostic> many(
      1000, manifests::Diagnostic{
                manifests::Check::bad_value, "/c/a.yaml", {1, 1}, "spec.mode", "bad", ""});
  auto shown = safe_problem_list(many);
  ASSERT_EQ(shown.size(), kMaxProblemsShown + 1);
  EXPECT_EQ(shown.back(), "/c/a.yaml: and 990 more problem(s) not shown");
}

} // namespace
} // namespace xdpchain::agent
