// The command line behaves like the operator's other tools (docs/cli.md). Every case runs
// the built `xdpchain` and checks what a user sees: exit code, stdout/stderr, JSON, files.
#include "tests/support/netns_pair.h"
#include "tests/support/process.h"
#include "tests/support/xdpchain_cli.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace xdpchain::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using json = nlohmann::json;
namespace fs = std::filesystem;

// The one JSON document a --json run prints, or a failure naming the command.
json document(const CommandResult &r) {
  json parsed = json::parse(r.out, nullptr, false);
  EXPECT_TRUE(parsed.is_object()) << "not one JSON object: " << r;
  if (!parsed.is_object()) return json::object();
  EXPECT_EQ(parsed.value("schema_version", 0), 2) << r;
  return parsed;
}

class CliTest : public ::testing::Test {
protected:
  void SetUp() override {
    pair_ = std::make_unique<NetnsPair>();
    cli_ = std::make_unique<XdpchainCli>(pair_->dut().netns);
  }
  const std::string &iface() const { return pair_->dut().ifname; }
  CommandResult run(const std::vector<std::string> &args) const { return cli_->run(args); }
  // `xdpchain ARGS` with no --bpffs and in the test's own namespace.
  static CommandResult bare(const std::vector<std::string> &args) {
    std::vector<std::string> argv = {XdpchainCli::binary()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv);
  }
  // A manifest for the DUT with the given programs (YAML list items), in a temp file.
  std::string manifest(const std::string &programs) {
    std::string path = fs::temp_directory_path() / (unique_name("xdpchain-cli-") + ".yaml");
    std::ofstream(path) << "apiVersion: xdpchain.io/v1\nkind: XdpChain\nmetadata:\n  name: t\n"
                        << "spec:\n  interface: " << iface()
                        << "\n  namespace: " << pair_->dut().netns << "\n  programs:\n"
                        << programs;
    files_.push_back(path);
    return path;
  }
  void TearDown() override {
    for (const auto &f : files_)
      fs::remove(f);
  }

  std::unique_ptr<NetnsPair> pair_;
  std::unique_ptr<XdpchainCli> cli_;
  std::vector<std::string> files_;
};

TEST_F(CliTest, VersionFlagAndVerb) {
  CommandResult flag = bare({"--version"});
  EXPECT_EQ(flag.exit_code, 0) << flag;
  EXPECT_THAT(flag.out, HasSubstr("xdpchain 0."));
  CommandResult verb = bare({"version"});
  EXPECT_EQ(verb.out, flag.out);
  EXPECT_EQ(document(bare({"version", "-j"})).value("version", ""),
            flag.out.substr(9, flag.out.size() - 10));
}

TEST_F(CliTest, HelpVerb) {
  CommandResult all = bare({"help"});
  EXPECT_EQ(all.exit_code, 0) << all;
  EXPECT_THAT(all.out, HasSubstr("status"));
  EXPECT_THAT(all.out, HasSubstr("exit codes"));
  CommandResult add = bare({"help", "add"});
  EXPECT_EQ(add.exit_code, 0) << add;
  EXPECT_THAT(add.out, HasSubstr("--proceed-on"));
  EXPECT_EQ(bare({"help", "nonsense"}).exit_code, 2);
}

TEST_F(CliTest, MistypedVerbSuggestsTheClosest) {
  CommandResult r = bare({"stauts"});
  EXPECT_EQ(r.exit_code, 2) << r;
  EXPECT_THAT(r.err, HasSubstr("'stauts' is not a command; did you mean 'status'?"));
  CommandResult far = bare({"--bpffs", "/tmp/x", "zzzzzzzz"});
  EXPECT_EQ(far.exit_code, 2) << far;
  EXPECT_THAT(far.err, HasSubstr("'zzzzzzzz' is not a command"));
  json error = document(bare({"stauts", "-j"}));
  EXPECT_THAT(error["error"].value("message", ""), HasSubstr("did you mean 'status'?"));
}

TEST_F(CliTest, NonRootIsRefusedWithExit3) {
  // A copy that user nobody can reach, wherever the build tree lives.
  std::string dir = fs::temp_directory_path() / unique_name("xdpchain-cli-nobody-");
  fs::create_directories(dir);
  fs::permissions(dir, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                           fs::perms::others_read | fs::perms::others_exec);
  const std::string binary = dir + "/xdpchain", source = dir + "/pass.lisp";
  fs::copy_file(XdpchainCli::binary(), binary);
  fs::copy_file(XDPCHAIN_SOURCE_DIR "/manifests/examples/demo/pass.lisp", source);
  fs::permissions(source, fs::perms::others_read, fs::perm_options::add);
  const std::vector<std::string> nobody = {"setpriv", "--reuid=65534", "--regid=65534",
                                           "--clear-groups", binary};
  for (const std::string verb : {"status", "add", "features", "prune"}) {
    std::vector<std::string> argv = nobody;
    argv.insert(argv.end(), {verb, "lo"});
    CommandResult r = run_command(argv);
    EXPECT_EQ(r.exit_code, 3) << r;
    EXPECT_THAT(r.err, HasSubstr("needs root (CAP_BPF, CAP_NET_ADMIN)")) << r;
    EXPECT_THAT(r.out, Not(HasSubstr("another tool"))) << r;
  }
  // Verbs that touch no kernel object work unprivileged.
  std::vector<std::string> compile = nobody;
  compile.insert(compile.end(), {"compile", source, "--emit", "asm"});
  CommandResult compiled = run_command(compile);
  EXPECT_EQ(compiled.exit_code, 0) << compiled;
  EXPECT_THAT(compiled.out, HasSubstr("exit"));
  fs::remove_all(dir);
}

TEST_F(CliTest, GlobalOptionsAfterTheVerb) {
  // --bpffs and --netns after the verb: the same chain as before it.
  ASSERT_EQ(run({"add", iface(), prog_path("xdp_pass"), "--mode", "generic"}).exit_code, 0);
  CommandResult after =
      bare({"status", iface(), "--bpffs", cli_->bpffs_root(), "--netns", pair_->dut().netns, "-j"});
  ASSERT_EQ(after.exit_code, 0) << after;
  EXPECT_EQ(only_chain(document(after)), cli_->status(iface()));
}

TEST_F(CliTest, ModeWords) {
  CommandResult skb = run({"add", iface(), prog_path("xdp_pass"), "--mode", "skb"});
  ASSERT_EQ(skb.exit_code, 0) << skb;
  EXPECT_EQ(cli_->status(iface()).value("mode", ""), "generic");
  CommandResult hw = run({"add", iface(), prog_path("verdict_drop"), "--mode", "hw"});
  EXPECT_EQ(hw.exit_code, 3) << hw;
  EXPECT_THAT(hw.err, HasSubstr("hardware offload is not supported"));
  EXPECT_EQ(run({"add", iface(), prog_path("verdict_drop"), "--mode", "fast"}).exit_code, 2);
  EXPECT_EQ(pair_->ping(3), 3); // the drop program never joined
}

TEST_F(CliTest, StatusOfOneAndOfAllHaveOneShape) {
  ASSERT_EQ(run({"add", iface(), prog_path("xdp_pass"), "--mode", "generic"}).exit_code, 0);
  json one = document(run({"status", iface(), "-j"}));
  json all = document(run({"status", "--json"}));
  ASSERT_EQ(one["chains"].size(), 1u);
  ASSERT_EQ(all["chains"].size(), 1u);
  EXPECT_EQ(one["chains"][0], all["chains"][0]);
  EXPECT_EQ(one["chains"][0]["programs"][0].value("label", ""), "xdp_pass");
}

TEST_F(CliTest, EveryVerbPrintsJson) {
  std::string pass = manifest("    - name: pass\n      object: " + prog_path("xdp_pass") + "\n");
  std::string out = fs::temp_directory_path() / unique_name("xdpchain-cli-out-");
  files_.push_back(out + ".o");
  const std::vector<std::vector<std::string>> ok = {
      {"add", iface(), prog_path("xdp_pass"), "--mode", "generic", "--name", "a"},
      {"status", iface()},
      {"stats", iface(), "--interval", "0.1"},
      {"features"},
      {"export", iface()},
      {"remove", iface(), "a"},
      {"apply", "-f", pass, "--dry-run"},
      {"diff", "-f", pass},
      {"prune", "--dry-run"},
      {"compile", XDPCHAIN_SOURCE_DIR "/manifests/examples/demo/pass.lisp", "-o", out + ".o"},
      {"version"},
      {"help"}};
  for (auto args : ok) {
    args.push_back("--json");
    CommandResult r = run(args);
    SCOPED_TRACE(r.command);
    EXPECT_TRUE(r.exit_code == 0 || (args[0] == "diff" && r.exit_code == 5)) << r;
    json doc = document(r);
    EXPECT_FALSE(doc.contains("error")) << r;
  }
}

TEST_F(CliTest, ErrorsAreJsonWithTheirExitCode) {
  struct Case {
    std::vector<std::string> args;
    int exit_code;
  };
  const std::vector<Case> cases = {
      {{"add", iface(), "/nonexistent/x.o"}, 2},
      {{"add", "nosuchif0", prog_path("xdp_pass")}, 2},
      {{"remove", iface(), "nolabel"}, 2},
      {{"stats", iface()}, 2},
      {{"status", "nosuchif0"}, 2},
      {{"export", iface()}, 2},
      {{"apply", "-f", "/nonexistent.yaml"}, 2},
      {{"diff", "-f", "/nonexistent.yaml"}, 2},
      {{"compile", "/nonexistent.lisp"}, 2},
      {{"add", iface(), prog_path("xdp_pass"), "--no-such-option"}, 2},
      {{"add", iface(), prog_path("xdp_pass"), "--mode", "hw"}, 3},
  };
  for (const auto &c : cases) {
    std::vector<std::string> args = c.args;
    args.push_back("-j");
    CommandResult r = run(args);
    SCOPED_TRACE(r.command);
    EXPECT_EQ(r.exit_code, c.exit_code) << r;
    json doc = document(r);
    ASSERT_TRUE(doc.contains("error")) << r;
    EXPECT_FALSE(doc["error"].value("message", "").empty()) << r;
    EXPECT_EQ(doc["error"].value("exit_code", -1), c.exit_code) << r;
  }
}

TEST_F(CliTest, ManifestFromStandardInput) {
  std::string yaml = manifest("    - name: drop\n      object: " + prog_path("xdp_drop_icmp") +
                              "\n  mode: generic\n");
  CommandResult applied = run_command({"bash", "-c", "\"$0\" --bpffs \"$1\" apply -f - < \"$2\"",
                                       XdpchainCli::binary(), cli_->bpffs_root(), yaml});
  ASSERT_EQ(applied.exit_code, 0) << applied;
  EXPECT_EQ(pair_->ping(3), 0);
  CommandResult diff = run_command({"bash", "-c", "\"$0\" --bpffs \"$1\" diff -f - < \"$2\"",
                                    XdpchainCli::binary(), cli_->bpffs_root(), yaml});
  EXPECT_EQ(diff.exit_code, 0) << diff;
  EXPECT_THAT(diff.out, HasSubstr("matches"));
}

TEST_F(CliTest, ExportTakesTheGlobalNetns) {
  ASSERT_EQ(run({"add", iface(), prog_path("xdp_pass"), "--mode", "generic"}).exit_code, 0);
  CommandResult exported =
      bare({"--bpffs", cli_->bpffs_root(), "--netns", pair_->dut().netns, "export", iface()});
  ASSERT_EQ(exported.exit_code, 0) << exported;
  EXPECT_THAT(exported.out, HasSubstr("namespace: " + pair_->dut().netns));
  // The old per-verb spelling is gone: one option, one name.
  EXPECT_EQ(run({"export", iface(), "--namespace", pair_->dut().netns}).exit_code, 2);
}

TEST_F(CliTest, DiffWritesNothing) {
  std::string cache = fs::temp_directory_path() / unique_name("xdpchain-cli-cache-");
  ::setenv("XDPCHAIN_OBJECT_CACHE", cache.c_str(), 1);
  std::string yaml = manifest("    - name: pass\n      source: " XDPCHAIN_SOURCE_DIR
                              "/manifests/examples/demo/pass.lisp\n  mode: generic\n");
  CommandResult diff = run({"diff", "-f", yaml});
  EXPECT_EQ(diff.exit_code, 5) << diff; // the chain does not exist yet
  EXPECT_FALSE(fs::exists(cache)) << "diff created the object cache";
  EXPECT_FALSE(fs::exists(cli_->bpffs_root())) << "diff created state";
  // apply fills the cache; a diff afterwards finds the cached object and matches.
  ASSERT_EQ(run({"apply", "-f", yaml}).exit_code, 0);
  EXPECT_TRUE(fs::exists(cache));
  CommandResult again = run({"diff", "-f", yaml});
  EXPECT_EQ(again.exit_code, 0) << again;
  ::unsetenv("XDPCHAIN_OBJECT_CACHE");
  fs::remove_all(cache);
}

TEST_F(CliTest, RefusedRemoveLeavesNoState) {
  const std::vector<std::vector<std::string>> read_or_refused = {
      {"remove", iface(), "--all"}, {"remove", iface(), "x"}, {"status"},
      {"status", iface()},          {"export", iface()},      {"stats", iface()}};
  for (const auto &args : read_or_refused) {
    run(args);
    std::error_code ec;
    EXPECT_TRUE(!fs::exists(cli_->bpffs_root()) || fs::is_empty(cli_->bpffs_root(), ec))
        << "state left behind by: xdpchain " << args[0];
  }
}

// A dry run plans exactly like an apply: on a second interface that runs another tool's
// program it reports the conflict the apply would meet, instead of "would change".
TEST_F(CliTest, DryRunOnTwoInterfacesSeesTheRefusalOfTheSecond) {
  CommandResult foreign =
      run_command({"ip", "-n", pair_->peer().netns, "link", "set", "dev", pair_->peer().ifname,
                   "xdpgeneric", "obj", prog_path("xdp_pass"), "sec", "xdp"});
  ASSERT_EQ(foreign.exit_code, 0) << foreign;
  std::string path = fs::temp_directory_path() / (unique_name("xdpchain-cli-two-") + ".yaml");
  files_.push_back(path);
  std::ofstream(path) << "apiVersion: xdpchain.io/v1\nkind: XdpChain\nmetadata: {name: first}\n"
                      << "spec:\n  interface: " << iface()
                      << "\n  namespace: " << pair_->dut().netns
                      << "\n  mode: generic\n  programs:\n    - name: drop\n      object: "
                      << prog_path("xdp_drop_icmp") << "\n---\n"
                      << "apiVersion: xdpchain.io/v1\nkind: XdpChain\nmetadata: {name: second}\n"
                      << "spec:\n  interface: " << pair_->peer().ifname
                      << "\n  namespace: " << pair_->peer().netns
                      << "\n  mode: generic\n  programs:\n    - name: pass\n      object: "
                      << prog_path("xdp_pass") << "\n";
  CommandResult dry = run({"apply", "-f", path, "--dry-run"});
  EXPECT_EQ(dry.exit_code, 4) << dry;
  EXPECT_THAT(dry.err, HasSubstr("another tool"));
  CommandResult applied = run({"apply", "-f", path});
  EXPECT_EQ(applied.exit_code, 4) << applied;
  EXPECT_FALSE(cli_->status(iface()).value("present", true)); // the first was never swapped
  EXPECT_EQ(pair_->ping(3), 3);
}

// The counters map carries BTF: bpftool prints each member's counters by name.
TEST_F(CliTest, CountersMapDumpsNamedFields) {
  ASSERT_EQ(run({"add", iface(), prog_path("xdp_pass"), "--mode", "generic"}).exit_code, 0);
  ASSERT_EQ(pair_->ping(2), 2);
  std::string counters;
  for (const auto &entry : fs::recursive_directory_iterator(cli_->bpffs_root()))
    if (entry.path().filename() == "counters") counters = entry.path().string();
  ASSERT_FALSE(counters.empty());
  CommandResult dump = run_command({"bpftool", "-j", "map", "dump", "pinned", counters});
  ASSERT_EQ(dump.exit_code, 0) << dump;
  json parsed = json::parse(dump.out, nullptr, false);
  ASSERT_TRUE(parsed.is_array() && !parsed.empty()) << dump;
  const json &first_cpu = parsed[0]["formatted"]["values"][0]["value"];
  ASSERT_TRUE(first_cpu.contains("members")) << dump.out.substr(0, 2000);
  EXPECT_TRUE(first_cpu["members"][0].contains("entered")) << dump.out.substr(0, 2000);
  EXPECT_TRUE(first_cpu["members"][0].contains("redirect"));
}

TEST_F(CliTest, VerboseShowsLibbpfMessages) {
  CommandResult quiet = run({"add", iface(), prog_path("xdp_pass"), "--mode", "generic"});
  ASSERT_EQ(quiet.exit_code, 0) << quiet;
  EXPECT_THAT(quiet.err, Not(HasSubstr("libbpf: ")));
  CommandResult verbose =
      run({"-v", "add", iface(), prog_path("verdict_pass"), "--mode", "generic"});
  ASSERT_EQ(verbose.exit_code, 0) << verbose;
  EXPECT_THAT(verbose.err, HasSubstr("libbpf: "));
}

} // namespace
} // namespace xdpchain::test
