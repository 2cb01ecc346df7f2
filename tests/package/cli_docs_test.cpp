// The generated man pages and bash completion (packaging/gen_cli_docs.py) against the built
// `xdpchain`: every verb `--help` lists has a page naming every option its help shows, and
// bash's own completion machinery (complete -F, COMP_WORDS) offers the verbs, each verb's
// options, option values and interface names.
#include "tests/support/process.h"
#include "tests/support/xdpchain_cli.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>

namespace xdpchain::test {
namespace {

using ::testing::Contains;
using ::testing::IsSupersetOf;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

const std::string kDocs = std::string(XDPCHAIN_BINARY_DIR) + "/packaging/cli-docs";

std::string read_file(const std::string &path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The verbs in the "Subcommands:" section of `xdpchain --help`.
std::vector<std::string> verbs_from_help() {
  auto help = run_checked({XdpchainCli::binary(), "--help"}).out;
  std::vector<std::string> verbs;
  bool in_list = false;
  std::istringstream lines(help);
  for (std::string line; std::getline(lines, line);) {
    if (line == "Subcommands:") {
      in_list = true;
    } else if (in_list && line.rfind("  ", 0) == 0) {
      verbs.push_back(line.substr(2, line.find(' ', 2) - 2));
    } else if (in_list) {
      break;
    }
  }
  return verbs;
}

// Every option name (-o, --output) in the "Options:" section of `xdpchain help VERB`.
std::vector<std::string> options_from_help(const std::string &verb) {
  auto help = run_checked({XdpchainCli::binary(), "help", verb}).out;
  std::vector<std::string> names;
  std::regex option_line(R"(^  (-[^ ]+))");
  std::istringstream lines(help);
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (!std::regex_search(line, m, option_line)) continue;
    std::istringstream list(m[1].str());
    for (std::string name; std::getline(list, name, ',');)
      names.push_back(name);
  }
  return names;
}

std::string roff_escaped(std::string text) {
  std::string out;
  for (char c : text)
    out += c == '-' ? std::string("\\-") : std::string(1, c);
  return out;
}

TEST(ManPages, EveryVerbHasAPageWithEveryOptionOfItsHelp) {
  auto verbs = verbs_from_help();
  ASSERT_THAT(verbs, IsSupersetOf({"add", "remove", "status", "apply", "export", "help"}));
  std::string main_page = read_file(kDocs + "/man/xdpchain.8");
  ASSERT_FALSE(main_page.empty()) << kDocs << "/man/xdpchain.8";
  for (const auto &verb : verbs) {
    SCOPED_TRACE(verb);
    std::string page = read_file(kDocs + "/man/xdpchain-" + verb + ".8");
    ASSERT_FALSE(page.empty()) << "no page xdpchain-" << verb << ".8";
    EXPECT_NE(main_page.find("xdpchain\\-" + roff_escaped(verb) + "\\fR(8)"), std::string::npos)
        << "xdpchain(8) does not list " << verb;
    auto options = options_from_help(verb);
    ASSERT_FALSE(options.empty());
    for (const auto &option : options)
      EXPECT_NE(page.find(roff_escaped(option)), std::string::npos) << option;
  }
}

TEST(ManPages, RenderWithoutWarnings) {
  for (const auto &verb : verbs_from_help()) {
    std::string page = kDocs + "/man/xdpchain-" + verb + ".8";
    auto r = run_command({"groff", "-man", "-Tutf8", "-ww", "-z", page});
    EXPECT_EQ(r.exit_code, 0) << r;
    EXPECT_EQ(r.err, "") << r;
  }
}

// What bash offers for `line` (cursor at its end) with the generated completion loaded.
std::vector<std::string> complete(const std::string &line) {
  std::string script = "source '" + kDocs + "/completion/xdpchain'\n" + "line='" + line + "'\n" +
                       R"(read -ra COMP_WORDS <<< "$line"
[[ $line == *' ' ]] && COMP_WORDS+=('')
COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
func=$(complete -p xdpchain | sed -n 's/.*-F \([^ ]*\) xdpchain$/\1/p')
"$func" xdpchain "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}")";
  auto r = run_checked({"bash", "--norc", "--noprofile", "-c", script});
  std::vector<std::string> words;
  std::istringstream lines(r.out);
  for (std::string word; std::getline(lines, word);)
    if (!word.empty()) words.push_back(word);
  return words;
}

TEST(BashCompletion, VerbsByPrefix) {
  EXPECT_THAT(complete("xdpchain st"), UnorderedElementsAre("status", "stats"));
  EXPECT_THAT(complete("xdpchain ex"), UnorderedElementsAre("export"));
  for (const auto &verb : verbs_from_help())
    EXPECT_THAT(complete("xdpchain " + verb), Contains(verb));
  EXPECT_THAT(complete("xdpchain help "), IsSupersetOf({"add", "apply", "version"}));
}

TEST(BashCompletion, OptionsOfTheVerbAndGlobalOptions) {
  EXPECT_THAT(complete("xdpchain add lo --pr"),
              UnorderedElementsAre("--priority", "--proceed-on", "--program"));
  EXPECT_THAT(complete("xdpchain export lo --"), IsSupersetOf({"--output", "--name", "--netns"}));
  EXPECT_THAT(complete("xdpchain --b"), UnorderedElementsAre("--bpffs"));
  for (const auto &verb : verbs_from_help())
    for (const auto &option : options_from_help(verb)) {
      if (option.rfind("--", 0) != 0) continue;
      EXPECT_THAT(complete("xdpchain " + verb + " " + option), Contains(option)) << verb;
    }
}

TEST(BashCompletion, InterfaceNamesWhereAVerbTakesAnInterface) {
  EXPECT_THAT(complete("xdpchain add l"), Contains("lo"));
  EXPECT_THAT(complete("xdpchain status "), Contains("lo"));
  // Option values and global options before the verb are skipped over.
  EXPECT_THAT(complete("xdpchain --wait 3 remove --all l"), Contains("lo"));
  EXPECT_THAT(complete("xdpchain add --priority 5 l"), Contains("lo"));
  // The second argument of `add` is an object file, not an interface.
  EXPECT_THAT(complete("xdpchain add lo l"), Not(Contains("lo")));
}

TEST(BashCompletion, OptionValues) {
  EXPECT_THAT(complete("xdpchain add lo x.o --backend "),
              UnorderedElementsAre("auto", "freplace", "fused", "tailcall"));
  EXPECT_THAT(complete("xdpchain compile --emit "), UnorderedElementsAre("obj", "asm"));
  EXPECT_THAT(complete("xdpchain add lo x.o --counters o"), UnorderedElementsAre("off", "on"));
  EXPECT_THAT(complete("xdpchain add lo x.o --mode "), UnorderedElementsAre("native", "generic"));
}

TEST(BashCompletion, SetTakesAnInterfaceAndItsOptions) {
  EXPECT_THAT(complete("xdpchain se"), UnorderedElementsAre("set"));
  EXPECT_THAT(complete("xdpchain set l"), Contains("lo"));
  EXPECT_THAT(complete("xdpchain set lo count --pr"),
              UnorderedElementsAre("--priority", "--proceed-on"));
}

} // namespace
} // namespace xdpchain::test
