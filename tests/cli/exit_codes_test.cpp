// The exit codes README.md and docs/cli.md promise, as one table: each row is a situation a
// user can get into, run through the built `xdpchain` against an interface that already runs a
// chain. Every row must end with its documented code (0 ok, 1 operation failed, 2 bad input,
// 3 not supported, 4 conflict, 5 diff found differences), and no row may change the running
// chain: the same members and program ids, the same dispatcher on the interface, the same
// pins in the state directory, and ping still answered.
#include "tests/support/bpffs.h"
#include "tests/support/netns_pair.h"
#include "tests/support/xdpchain_cli.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>

namespace xdpchain::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
namespace fs = std::filesystem;

void write_file(const std::string &path, const std::string &text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

std::string read_file(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// What a row must leave as it was.
struct ChainSnapshot {
  json chain;                    // status without counters
  json xdp;                      // ip link's view of the interface's attachment
  std::vector<std::string> pins; // everything pinned under the state root
  bool operator==(const ChainSnapshot &) const = default;
};

struct Row {
  std::string situation;
  int exit_code;
  std::function<std::vector<std::string>()> argv; // full argv, binary first
  std::function<void()> before = [] {};           // runs just before the command
  std::function<void()> after = [] {};            // runs just after, whatever happened
};

class ExitCodes : public ::testing::Test {
protected:
  NetnsPair net_;
  XdpchainCli cli_{net_.dut().netns};
  const std::string iface_ = net_.dut().ifname;
  std::string scratch_ = "/tmp/" + unique_name("xdpchain-exit-");

  void SetUp() override {
    fs::create_directories(scratch_);
    fs::permissions(scratch_, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                  fs::perms::others_read | fs::perms::others_exec);
  }
  void TearDown() override { fs::remove_all(scratch_); }

  std::vector<std::string> xdpchain(std::vector<std::string> args) const {
    args.insert(args.begin(), {XdpchainCli::binary(), "--bpffs", cli_.bpffs_root()});
    return args;
  }
  ChainSnapshot snapshot() const {
    json chain = cli_.status(iface_);
    for (auto &p : chain["programs"])
      p.erase("counters");
    return {chain, net_.dut_xdp(), list_pins(cli_.bpffs_root())};
  }
  std::string manifest(const std::string &programs, const std::string &extra = "") const {
    return "apiVersion: xdpchain.io/v1\nkind: XdpChain\nmetadata:\n  name: table\nspec:\n"
           "  interface: " +
           iface_ + "\n  namespace: " + net_.dut().netns + "\n  mode: generic\n" + extra +
           "  programs:\n" + programs;
  }
  std::string member(const std::string &name, const std::string &prog, int priority) const {
    return "    - name: " + name + "\n      object: " + prog_path(prog) +
           "\n      priority: " + std::to_string(priority) + "\n";
  }
  std::string state_dir() const {
    struct stat st;
    EXPECT_EQ(stat(("/run/netns/" + net_.dut().netns).c_str(), &st), 0);
    return cli_.bpffs_root() + "/ns" + std::to_string(st.st_ino) + "-if" +
           std::to_string(net_.dut().ifindex);
  }
};

TEST_F(ExitCodes, EveryDocumentedCodeAndTheChainStays) {
  ASSERT_EQ(cli_.run({"add", iface_, prog_path("xdp_count"), "--name", "count", "--priority", "10",
                      "--mode", "generic"})
                .exit_code,
            0);
  ASSERT_EQ(cli_.run({"add", iface_, prog_path("xdp_pass"), "--name", "pass", "--priority", "20"})
                .exit_code,
            0);
  const ChainSnapshot before = snapshot();
  ASSERT_EQ(before.chain["programs"].size(), 2u);

  // Files the rows use.
  const std::string same = scratch_ + "/same.yaml";
  write_file(same, manifest(member("count", "xdp_count", 10) + member("pass", "xdp_pass", 20)));
  const std::string reordered = scratch_ + "/reordered.yaml";
  write_file(reordered,
             manifest(member("count", "xdp_count", 30) + member("pass", "xdp_pass", 20)));
  const std::string extra_member = scratch_ + "/extra.yaml";
  write_file(extra_member,
             manifest(member("count", "xdp_count", 10) + member("pass", "xdp_pass", 20) +
                      member("drop", "xdp_drop_icmp", 25)));
  const std::string bad_member = scratch_ + "/bad-member.yaml";
  write_file(bad_member,
             manifest(member("count", "xdp_count", 10) + member("pass", "xdp_pass", 20) +
                      member("bad", "xdp_bad_access", 15)));
  const std::string unknown_key = scratch_ + "/unknown-key.yaml";
  write_file(unknown_key, manifest(member("count", "xdp_count", 10), "  colour: blue\n"));
  const std::string truncated = scratch_ + "/truncated.o";
  write_file(truncated, read_file(prog_path("xdp_count")).substr(0, 300));
  const std::string text_object = scratch_ + "/text.o";
  write_file(text_object, "not an ELF object\n");
  const std::string open_root = bpffs_mount() + "/" + unique_name("xdpchain-open-");

  // A copy of the binary user nobody can run (the build tree may not be reachable).
  const std::string nobody_binary = scratch_ + "/xdpchain";
  fs::copy_file(XdpchainCli::binary(), nobody_binary);
  const std::vector<std::string> as_nobody = {"setpriv", "--reuid=65534", "--regid=65534",
                                              "--clear-groups", nobody_binary};

  // A second interface in the DUT's namespace on which another tool attached XDP.
  ASSERT_EQ(
      net_.exec_dut({"ip", "link", "add", "foreign0", "type", "veth", "peer", "name", "foreign1"})
          .exit_code,
      0);
  CommandResult foreign = net_.exec_dut({"ip", "link", "set", "dev", "foreign0", "xdpgeneric",
                                         "obj", prog_path("xdp_pass"), "sec", "xdp"});
  ASSERT_EQ(foreign.exit_code, 0) << foreign;
  const json foreign_xdp =
      json::parse(net_.exec_dut({"ip", "-j", "-d", "link", "show", "foreign0"}).out)[0]["xdp"];
  ASSERT_TRUE(foreign_xdp.is_object());

  const std::string root = cli_.bpffs_root();
  const auto read_only_root = [&] {
    EXPECT_EQ(run_command({"mount", "--bind", root, root}).exit_code, 0);
    EXPECT_EQ(run_command({"mount", "-o", "remount,bind,ro", root}).exit_code, 0);
  };
  const auto writable_root = [&] { EXPECT_EQ(run_command({"umount", root}).exit_code, 0); };

  int lock_fd = -1;
  const std::vector<Row> rows = {
      // 0: success
      {"status of the running chain", 0,
       [&] {
         return xdpchain({"status", iface_});
       }},
      {"diff against a manifest of the same chain", 0,
       [&] {
         return xdpchain({"diff", "-f", same});
       }},
      {"apply of the same chain changes nothing", 0,
       [&] {
         return xdpchain({"apply", "-f", same});
       }},
      {"export of the running chain", 0,
       [&] {
         return xdpchain({"export", iface_});
       }},
      // 1: the operation failed, the previous chain kept (the state root bound read-only
      // over itself: every pin stays, the kernel refuses the new generation's directory)
      {"add: the state root turned read-only", 1,
       [&] {
         return xdpchain({"add", iface_, prog_path("xdp_drop_icmp"), "--name", "drop"});
       },
       read_only_root, writable_root},
      {"apply: the state root turned read-only", 1,
       [&] {
         return xdpchain({"apply", "-f", extra_member});
       },
       read_only_root, writable_root},
      // 2: bad command line or input
      {"add: the verifier refuses the member", 2,
       [&] {
         return xdpchain({"add", iface_, prog_path("xdp_bad_access"), "--name", "bad"});
       }},
      {"apply: the verifier refuses one member of the manifest", 2,
       [&] {
         return xdpchain({"apply", "-f", bad_member});
       }},
      {"features of an interface that does not exist", 2,
       [&] {
         return xdpchain({"features", "nosuch0"});
       }},
      // Found in review: features quoted the name into its JSON output and aborted.
      {"features of an interface name that is not UTF-8, --json", 2,
       [&] {
         return xdpchain({"-j", "features", "eth\xcc"});
       }},
      {"unknown verb", 2,
       [&] {
         return xdpchain({"frobnicate", iface_});
       }},
      // Found by cli_args_fuzzer: a verb that is not UTF-8 aborted the JSON error output.
      {"unknown verb that is not UTF-8, --json", 2,
       [&] {
         return xdpchain({"-j", "help\xcc\xcc"});
       }},
      {"unknown option", 2,
       [&] {
         return xdpchain({"status", iface_, "--no-such-option"});
       }},
      {"unknown interface", 2,
       [&] {
         return xdpchain({"add", "nosuchif0", prog_path("xdp_pass")});
       }},
      {"object file does not exist", 2,
       [&] {
         return xdpchain({"add", iface_, scratch_ + "/missing.o"});
       }},
      {"object is a device (/dev/zero)", 2,
       [&] {
         return xdpchain({"add", iface_, "/dev/zero"});
       }},
      {"object is truncated", 2,
       [&] {
         return xdpchain({"add", iface_, truncated});
       }},
      {"object is not ELF", 2,
       [&] {
         return xdpchain({"add", iface_, text_object});
       }},
      {"remove of a label the chain does not have", 2,
       [&] {
         return xdpchain({"remove", iface_, "nolabel"});
       }},
      {"manifest with an unknown key", 2,
       [&] {
         return xdpchain({"apply", "-f", unknown_key});
       }},
      {"manifest is a directory", 2,
       [&] {
         return xdpchain({"apply", "-f", scratch_});
       }},
      // 3: not supported, or missing privileges
      {"hardware offload on a veth", 3,
       [&] {
         return xdpchain({"add", iface_, prog_path("xdp_pass"), "--mode", "hw"});
       }},
      {"status without privileges", 3,
       [&] {
         std::vector<std::string> argv = as_nobody;
         argv.insert(argv.end(), {"--bpffs", cli_.bpffs_root(), "status", iface_});
         return argv;
       }},
      {"add without privileges", 3,
       [&] {
         std::vector<std::string> argv = as_nobody;
         argv.insert(argv.end(),
                     {"--bpffs", cli_.bpffs_root(), "add", iface_, prog_path("xdp_pass")});
         return argv;
       }},
      // 4: conflict
      {"another command holds the interface's lock longer than --wait", 4,
       [&] {
         return xdpchain({"--wait", "0.2", "add", iface_, prog_path("xdp_drop_icmp")});
       },
       [&] {
         lock_fd = open(state_dir().c_str(), O_RDONLY | O_DIRECTORY);
         ASSERT_GE(lock_fd, 0);
         ASSERT_EQ(flock(lock_fd, LOCK_EX), 0);
       },
       [&] {
         close(lock_fd);
         lock_fd = -1;
       }},
      {"another tool's program on the interface", 4,
       [&] {
         return xdpchain({"add", "foreign0", prog_path("xdp_drop_icmp")});
       }},
      {"a state root writable by other users", 4,
       [&] {
         return std::vector<std::string>{
             XdpchainCli::binary(),     "--bpffs", open_root, "add", iface_,
             prog_path("xdp_drop_icmp")};
       },
       [&] {
         ASSERT_EQ(mkdir(open_root.c_str(), 0700), 0);
         ASSERT_EQ(chmod(open_root.c_str(), 0777), 0);
       },
       [&] { rmdir(open_root.c_str()); }},
      // 5: diff found differences
      {"diff: a member's priority differs", 5,
       [&] {
         return xdpchain({"diff", "-f", reordered});
       }},
      {"diff: the manifest has one more member", 5,
       [&] {
         return xdpchain({"diff", "-f", extra_member});
       }},
  };

  std::map<int, int> rows_per_code;
  for (const Row &row : rows) {
    SCOPED_TRACE(row.situation);
    row.before();
    CommandResult r = run_command(row.argv(), {.netns = net_.dut().netns, .timeout = 60s});
    row.after();
    EXPECT_FALSE(r.timed_out) << r;
    EXPECT_EQ(r.exit_code, row.exit_code) << r;
    if (row.exit_code == 5) {
      EXPECT_NE(r.out.find("differs"), std::string::npos) << "diff must show what: " << r;
    } else if (row.exit_code != 0) {
      // On stderr, or with --json as the document's "error".
      EXPECT_TRUE(!r.err.empty() || r.out.find("\"error\"") != std::string::npos)
          << "a failure must say why: " << r;
    }
    EXPECT_EQ(snapshot(), before) << "the chain changed: " << r;
    ++rows_per_code[row.exit_code];
  }
  for (int code = 0; code <= 5; ++code)
    EXPECT_GE(rows_per_code[code], 2) << "exit code " << code << " needs two rows";

  // The chain still runs: both members see traffic, and the other tool's program stays.
  EXPECT_EQ(net_.ping(3), 3);
  json status = cli_.status(iface_);
  for (const auto &p : status["programs"])
    EXPECT_GE(p["counters"]["entered"].get<int>(), 3) << p.dump();
  EXPECT_EQ(json::parse(net_.exec_dut({"ip", "-j", "-d", "link", "show", "foreign0"})
                            .out)[0]["xdp"]["prog"]["id"],
            foreign_xdp["prog"]["id"]);
}

} // namespace
} // namespace xdpchain::test
