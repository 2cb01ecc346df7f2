// Hostile input and hostile state, through the built `xdpchain` on a veth pair in network
// namespaces. Every refusal must be quick (the test gives each command a short timeout),
// exit with the README's code, name the file or directory, and leave the chain as it was.
#include "tests/support/bpffs.h"
#include "tests/support/netns_pair.h"
#include "tests/support/xdpchain_cli.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <elf.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <thread>

namespace xdpchain::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
namespace fs = std::filesystem;

std::string read_bytes(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::string &path, const std::string &bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

// Whether libbpf 1.1 dies opening `bytes`: tried in a child process. A crash is a signal,
// or (in the sanitizer build, where ASan turns the SEGV into a report) any exit status but
// the two the child gives itself.
bool libbpf_crashes_on(const std::string &bytes) {
  constexpr int kOpened = 0;
  constexpr int kRefused = 42;
  pid_t pid = fork();
  if (pid == 0) {
    libbpf_set_print(nullptr);
    alarm(10);
    bpf_object *obj = bpf_object__open_mem(bytes.data(), bytes.size(), nullptr);
    _exit(libbpf_get_error(obj) ? kRefused : kOpened);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFSIGNALED(status)) return true;
  return WIFEXITED(status) && WEXITSTATUS(status) != kOpened && WEXITSTATUS(status) != kRefused;
}

// The .BTF section of an ELF object: (offset, size); (0, 0) when there is none.
std::pair<size_t, size_t> btf_section(const std::string &elf) {
  Elf64_Ehdr eh;
  std::memcpy(&eh, elf.data(), sizeof eh);
  Elf64_Shdr names;
  std::memcpy(&names, elf.data() + eh.e_shoff + eh.e_shstrndx * sizeof(Elf64_Shdr), sizeof names);
  for (size_t i = 0; i < eh.e_shnum; ++i) {
    Elf64_Shdr sh;
    std::memcpy(&sh, elf.data() + eh.e_shoff + i * sizeof(Elf64_Shdr), sizeof sh);
    if (std::strcmp(elf.data() + names.sh_offset + sh.sh_name, ".BTF") == 0)
      return {sh.sh_offset, sh.sh_size};
  }
  return {0, 0};
}

class Hardening : public ::testing::Test {
protected:
  NetnsPair net_;
  XdpchainCli cli_{net_.dut().netns};
  const std::string iface_ = net_.dut().ifname;
  std::string scratch_ = "/tmp/" + unique_name("xdpchain-harden-");

  void SetUp() override { fs::create_directories(scratch_); }
  void TearDown() override { fs::remove_all(scratch_); }

  // A chain of one member, whose status later assertions compare against.
  json base_chain() {
    CommandResult added =
        cli_.run({"add", iface_, prog_path("xdp_pass"), "--name", "base", "--mode", "generic"});
    EXPECT_EQ(added.exit_code, 0) << added;
    return cli_.status(iface_);
  }
  // (label, prog id) of each member: what a swap that keeps them leaves unchanged.
  static std::vector<std::pair<std::string, uint32_t>> member_ids(const json &st) {
    std::vector<std::pair<std::string, uint32_t>> ids;
    for (const auto &p : st["programs"])
      ids.emplace_back(p["label"].get<std::string>(), p["prog_id"].get<uint32_t>());
    return ids;
  }
  static json without_counters(json st) {
    for (auto &p : st["programs"])
      p.erase("counters");
    return st;
  }
  std::string state_dir() {
    struct stat st;
    EXPECT_EQ(stat(("/run/netns/" + net_.dut().netns).c_str(), &st), 0);
    return cli_.bpffs_root() + "/ns" + std::to_string(st.st_ino) + "-if" +
           std::to_string(net_.dut().ifindex);
  }
};

// /dev/zero, a FIFO, a directory and /proc/self/mem used to spin, block or abort
// (std::ios_failure); each is refused at once with exit 2 naming the file.
TEST_F(Hardening, SpecialFilesAreRefusedQuicklyAsObjectsManifestsAndSources) {
  const json before = base_chain();
  const std::string fifo = scratch_ + "/fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  const std::string fifo_lisp = scratch_ + "/fifo.lisp";
  ASSERT_EQ(mkfifo(fifo_lisp.c_str(), 0600), 0);
  for (const std::string &file :
       {std::string("/dev/zero"), fifo, scratch_, std::string("/proc/self/mem")}) {
    for (const auto &argv : std::vector<std::vector<std::string>>{
             {"add", iface_, file}, {"apply", "-f", file}, {"compile", file}}) {
      CommandResult refused = cli_.run(argv, 10s);
      EXPECT_FALSE(refused.timed_out) << refused;
      EXPECT_EQ(refused.exit_code, 2) << refused;
      EXPECT_NE(refused.err.find(file), std::string::npos) << "must name the file: " << refused;
    }
  }
  CommandResult lisp = cli_.run({"add", iface_, fifo_lisp}, 10s);
  EXPECT_FALSE(lisp.timed_out) << lisp;
  EXPECT_EQ(lisp.exit_code, 2) << lisp;
  EXPECT_EQ(without_counters(cli_.status(iface_)), without_counters(before));
  EXPECT_EQ(net_.ping(2), 2);
}

// libbpf 1.1 segfaults on some byte-flipped objects. The test finds such a mutant of the
// built xdp_count.o (one byte of its BTF types changed, proven to crash libbpf in a child
// process), then checks that xdpchain reports it as malformed with exit 2.
TEST_F(Hardening, ObjectThatCrashesLibbpfIsMalformedAndTheChainStays) {
  const json before = base_chain();
  const std::string original = read_bytes(prog_path("xdp_count"));
  auto [btf, btf_size] = btf_section(original);
  ASSERT_GT(btf_size, 24u) << "xdp_count.o has no BTF";
  std::string crasher;
  for (size_t off = btf + 24; off < btf + btf_size && crasher.empty(); ++off)
    for (uint8_t value : {0x19, 0x57, 0x6f, 0xff}) {
      std::string mutant = original;
      mutant[off] = static_cast<char>(value);
      if (libbpf_crashes_on(mutant)) {
        crasher = mutant;
        break;
      }
    }
  ASSERT_FALSE(crasher.empty()) << "no single-byte BTF mutant crashes libbpf here";
  const std::string path = scratch_ + "/crasher.o";
  write_bytes(path, crasher);
  CommandResult refused = cli_.run({"add", iface_, path, "--mode", "generic"}, 30s);
  EXPECT_EQ(refused.exit_code, 2) << refused;
  EXPECT_NE(refused.err.find("object '" + path + "' is malformed"), std::string::npos) << refused;

  EXPECT_EQ(without_counters(cli_.status(iface_)), without_counters(before));

  // The repro, applied to this build's object: never a crash, 0 or 2.
  std::string repro = original;
  for (auto [off, value] : {std::pair<size_t, char>{723, 0x00}, {2695, 0x62}, {6275, '\xff'}}) {
    if (off < repro.size()) repro[off] = value;
  }
  write_bytes(path, repro);
  CommandResult result =
      cli_.run({"add", iface_, path, "--name", "repro", "--mode", "generic"}, 30s);
  EXPECT_TRUE(result.exit_code == 0 || result.exit_code == 2) << result;
  if (result.exit_code == 0) {
    ASSERT_EQ(cli_.run({"remove", iface_, "repro"}).exit_code, 0);
  }
  EXPECT_EQ(member_ids(cli_.status(iface_)), member_ids(before));
  EXPECT_EQ(net_.ping(2), 2);
}

// An unprivileged user on a bpffs of mode 1777 plants a directory whose entry for one
// interface is a symbolic link to root's state for another. Root's command must refuse it,
// and the other interface's chain must stay as it was.
TEST_F(Hardening, SymlinkAttackByAnUnprivilegedUserIsRefused) {
  const std::string mnt = scratch_ + "/bpf";
  fs::create_directories(mnt);
  ASSERT_EQ(chmod(scratch_.c_str(), 0755), 0);
  ASSERT_EQ(mount("bpf", mnt.c_str(), "bpf", 0, "mode=1777"), 0) << std::strerror(errno);
  struct Unmount {
    std::string dir;
    ~Unmount() { umount2(dir.c_str(), MNT_DETACH); }
  } unmount{mnt};

  // Root's state for the DUT veth under <mnt>/xdpchain.
  const std::string root_state = mnt + "/xdpchain";
  auto run_root = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {XdpchainCli::binary(), "--bpffs", root_state});
    return run_command(args, {.netns = net_.dut().netns, .timeout = 30s});
  };
  ASSERT_EQ(
      run_root({"add", iface_, prog_path("xdp_count"), "--name", "victim", "--mode", "generic"})
          .exit_code,
      0);
  // A second interface in the DUT's namespace, the one root will change next.
  ASSERT_EQ(
      net_.exec_dut({"ip", "link", "add", "hdummy0", "type", "veth", "peer", "name", "hdummy1"})
          .exit_code,
      0);
  ASSERT_EQ(net_.exec_dut({"ip", "link", "set", "hdummy0", "up"}).exit_code, 0);
  json links = json::parse(net_.exec_dut({"ip", "-j", "link", "show", "hdummy0"}).out);
  const int dummy_ifindex = links[0]["ifindex"].get<int>();
  struct stat ns;
  ASSERT_EQ(stat(("/run/netns/" + net_.dut().netns).c_str(), &ns), 0);
  const std::string victim_dir =
      root_state + "/ns" + std::to_string(ns.st_ino) + "-if" + std::to_string(net_.dut().ifindex);
  const std::string planted =
      "ns" + std::to_string(ns.st_ino) + "-if" + std::to_string(dummy_ifindex);

  // As nobody: a directory of its own holding the symbolic link.
  const std::string evil = mnt + "/evil";
  auto as_nobody = [](std::vector<std::string> argv) {
    argv.insert(argv.begin(), {"setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"});
    return run_command(argv);
  };
  ASSERT_EQ(as_nobody({"mkdir", evil}).exit_code, 0);
  CommandResult link = as_nobody({"ln", "-s", victim_dir, evil + "/" + planted});
  ASSERT_EQ(link.exit_code, 0) << link;
  struct stat owner;
  ASSERT_EQ(lstat((evil + "/" + planted).c_str(), &owner), 0);
  ASSERT_NE(owner.st_uid, 0u) << "the planted link must belong to the unprivileged user";

  const std::string victim_before = run_root({"status", iface_, "--json"}).out;
  auto attack = [&](const std::string &root) {
    return run_command({XdpchainCli::binary(), "--bpffs", root, "add", "hdummy0",
                        prog_path("xdp_pass"), "--mode", "generic"},
                       {.netns = net_.dut().netns, .timeout = 30s});
  };
  CommandResult refused = attack(evil);
  EXPECT_EQ(refused.exit_code, 4) << refused;
  EXPECT_NE(refused.err.find(evil), std::string::npos) << refused;
  // The same through "..": canonicalised before any check.
  CommandResult dotted = attack(mnt + "/xdpchain/../evil");
  EXPECT_EQ(dotted.exit_code, 4) << dotted;
  // Root's own directory, with the symbolic link planted by hand: openat(O_NOFOLLOW).
  ASSERT_EQ(symlink(victim_dir.c_str(), (root_state + "/" + planted).c_str()), 0);
  CommandResult followed = attack(root_state);
  EXPECT_EQ(followed.exit_code, 4) << followed;
  EXPECT_NE(followed.err.find("symbolic link"), std::string::npos) << followed;

  json victim_now = json::parse(run_root({"status", iface_, "--json"}).out);
  EXPECT_EQ(without_counters(victim_now), without_counters(json::parse(victim_before)))
      << "the attack changed the other interface's chain";
  EXPECT_TRUE(net_.dut_xdp().is_object());
  json dummy = json::parse(net_.exec_dut({"ip", "-j", "-d", "link", "show", "hdummy0"}).out);
  EXPECT_FALSE(dummy[0].contains("xdp")) << "the attacked interface got a program";
  EXPECT_EQ(run_root({"remove", iface_, "--all"}).exit_code, 0);
}

// A state root another user can write is refused, even when root made the path.
TEST_F(Hardening, WorldWritableStateRootIsRefused) {
  base_chain();
  const std::string root = bpffs_mount() + "/" + unique_name("xdpchain-open-");
  ASSERT_EQ(mkdir(root.c_str(), 0700), 0);
  ASSERT_EQ(chmod(root.c_str(), 0777), 0);
  CommandResult refused = run_command({XdpchainCli::binary(), "--bpffs", root, "add", iface_,
                                       prog_path("xdp_pass"), "--mode", "generic"},
                                      {.netns = net_.dut().netns, .timeout = 30s});
  rmdir(root.c_str());
  EXPECT_EQ(refused.exit_code, 4) << refused;
  EXPECT_NE(refused.err.find("writable by other users"), std::string::npos) << refused;
}

// A writer waits --wait seconds for the interface's lock, then exits 4 naming the holder.
TEST_F(Hardening, LockWaitEndsInAConflictNamingTheHolder) {
  const json before = base_chain();
  int fd = open(state_dir().c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(flock(fd, LOCK_EX), 0);
  const auto started = std::chrono::steady_clock::now();
  CommandResult waited = cli_.run({"--wait", "1", "add", iface_, prog_path("xdp_count")}, 20s);
  const auto took = std::chrono::steady_clock::now() - started;
  close(fd);
  EXPECT_EQ(waited.exit_code, 4) << waited;
  EXPECT_NE(waited.err.find("pid " + std::to_string(getpid())), std::string::npos) << waited;
  EXPECT_GE(took, 1s);
  EXPECT_LT(took, 10s);
  EXPECT_EQ(without_counters(cli_.status(iface_)), without_counters(before));
  // Released: the same command succeeds.
  EXPECT_EQ(cli_.run({"--wait", "1", "add", iface_, prog_path("xdp_count")}).exit_code, 0);
}

// A stray "gen-x" in the state directory used to make every later add and remove abort on
// std::stoul; now it is skipped with a warning.
TEST_F(Hardening, StrayGenerationEntryIsSkippedWithAWarning) {
  base_chain();
  ASSERT_EQ(mkdir((state_dir() + "/gen-x").c_str(), 0700), 0);
  CommandResult added = cli_.run({"add", iface_, prog_path("xdp_count")});
  EXPECT_EQ(added.exit_code, 0) << added;
  EXPECT_NE(added.err.find("gen-x"), std::string::npos) << "a warning names it: " << added;
  EXPECT_EQ(cli_.run({"remove", iface_, "xdp_count"}).exit_code, 0);
  EXPECT_EQ(cli_.status(iface_)["programs"].size(), 1u);
}

// A pin of the wrong kind (here a program pinned where the generation's config map belongs)
// is refused as a changed state directory, exit 4, naming the pin; the chain keeps running.
TEST_F(Hardening, PinOfTheWrongKindIsRefusedAndNeverUsed) {
  base_chain();
  std::string generation;
  for (const auto &entry : fs::directory_iterator(state_dir()))
    if (entry.path().filename().string().rfind("gen-", 0) == 0) generation = entry.path();
  ASSERT_FALSE(generation.empty());
  const int program = bpf_obj_get((generation + "/dispatcher").c_str());
  ASSERT_GE(program, 0);
  ASSERT_EQ(unlink((generation + "/config").c_str()), 0);
  ASSERT_EQ(bpf_obj_pin(program, (generation + "/config").c_str()), 0);
  close(program);
  for (const std::vector<std::string> &command :
       {std::vector<std::string>{"status", iface_},
        std::vector<std::string>{"add", iface_, prog_path("xdp_count")}}) {
    CommandResult refused = cli_.run(command);
    EXPECT_EQ(refused.exit_code, 4) << refused;
    EXPECT_NE(refused.err.find(generation + "/config' is not a BPF map"), std::string::npos)
        << refused;
  }
  EXPECT_EQ(net_.ping(2), 2) << "the attached chain still runs";
}

// A manifest's map pin inside xdpchain's own state root is refused (it was how the stray
// entry above got there), as is a pin off bpffs.
TEST_F(Hardening, ManifestMapPinsMustBeOnBpffsOutsideTheStateRoot) {
  base_chain();
  for (const std::string &pin :
       {cli_.bpffs_root() + "/gen-x/proto_count",
        cli_.bpffs_root() + "/../" + fs::path(cli_.bpffs_root()).filename().string() +
            "/x/proto_count",
        std::string("/tmp/proto_count")}) {
    const std::string manifest = scratch_ + "/pins.yaml";
    std::ofstream(manifest) << "apiVersion: xdpchain/v1\nkind: Chain\nmetadata:\n  name: t\n"
                               "spec:\n  interface: "
                            << iface_ << "\n  mode: generic\n  programs:\n    - object: "
                            << prog_path("xdp_count")
                            << "\n      maps:\n        - name: proto_count\n"
                            << "          pin: " << pin << "\n";
    CommandResult refused = cli_.run({"apply", "-f", manifest});
    EXPECT_EQ(refused.exit_code, 2) << refused;
    EXPECT_NE(refused.err.find(pin), std::string::npos) << refused;
  }
  EXPECT_EQ(cli_.status(iface_)["programs"].size(), 1u);
}

// `remove --all` on an interface without a chain says so (exit 2) and leaves no directory
// behind (status used to report it as a stale chain).
TEST_F(Hardening, RemoveAllWithoutAChainLeavesNoStateDirectory) {
  CommandResult removed = cli_.run({"remove", iface_, "--all"});
  EXPECT_EQ(removed.exit_code, 2) << removed;
  EXPECT_NE(removed.err.find("no xdpchain chain"), std::string::npos) << removed;
  EXPECT_FALSE(fs::exists(state_dir())) << "an empty state directory was left";
}

// `status --json` beside concurrent writers never fails (it used to report a generation a
// writer had just removed as damaged state).
TEST_F(Hardening, StatusNeverFailsBesideWriters) {
  base_chain();
  std::atomic<bool> stop{false};
  std::atomic<int> writes{0}, failed_writes{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w)
    writers.emplace_back([&, w] {
      const std::string label = "w" + std::to_string(w);
      while (!stop) {
        if (cli_.run({"add", iface_, prog_path("xdp_count"), "--name", label}).exit_code != 0)
          ++failed_writes;
        if (cli_.run({"remove", iface_, label}).exit_code != 0) ++failed_writes;
        writes += 2;
      }
    });
  int reads = 0, failed_reads = 0;
  std::string first_failure;
  const auto until = std::chrono::steady_clock::now() + 15s;
  while (std::chrono::steady_clock::now() < until) {
    CommandResult st = cli_.run({"status", iface_, "--json"});
    ++reads;
    if (st.exit_code != 0) {
      ++failed_reads;
      if (first_failure.empty()) first_failure = st.err;
    }
  }
  stop = true;
  for (auto &t : writers)
    t.join();
  EXPECT_EQ(failed_reads, 0) << "of " << reads << " reads; first: " << first_failure;
  EXPECT_EQ(failed_writes, 0);
  EXPECT_EQ(cli_.status(iface_)["programs"].size(), 1u);
  std::cout << reads << " status reads beside " << writes << " writes, " << failed_reads
            << " failed\n";
}

// Found by the mutation run under ASan: a byte-mutated xdp_run_config.o that libbpf opens but
// whose BTF makes libxdp's XDP_RUN_CONFIG reader (xdp_program__create) segfault. The child
// check now runs that reader too: exit 2, malformed, chain as it was.
TEST_F(Hardening, ObjectThatCrashesLibxdpRunConfigIsMalformed) {
  const json before = base_chain();
  const std::string path = XDPCHAIN_SOURCE_DIR "/tests/hardening/data/libxdp_run_config_crash.o";
  CommandResult refused = cli_.run({"add", iface_, path}, 30s);
  EXPECT_EQ(refused.exit_code, 2) << refused;
  EXPECT_NE(refused.err.find("object '" + path + "' is malformed"), std::string::npos) << refused;
  EXPECT_EQ(without_counters(cli_.status(iface_)), without_counters(before));
  EXPECT_EQ(net_.ping(2), 2);
}

// Found by manifest_fuzzer: yaml-cpp 0.7 loops forever on a ',' at block level, so `apply`
// and `diff` of such a file used to spin (and the agent with them). Now exit 2 at once.
TEST_F(Hardening, StrayCommaInAManifestIsRefusedQuickly) {
  const json before = base_chain();
  const std::string manifest = scratch_ + "/comma.yaml";
  for (const std::string text : {",i", "- a\n,b", "apiVersion: xdpchain.io/v1\n---\n,"}) {
    write_bytes(manifest, text);
    for (const char *verb : {"apply", "diff"}) {
      CommandResult refused = cli_.run({verb, "-f", manifest}, 10s);
      EXPECT_FALSE(refused.timed_out) << refused;
      EXPECT_EQ(refused.exit_code, 2) << refused;
      EXPECT_NE(refused.err.find(manifest + ": yaml: a ','"), std::string::npos) << refused;
    }
  }
  EXPECT_EQ(without_counters(cli_.status(iface_)), without_counters(before));
}

// Byte-mutated objects and manifests through the real command: never a crash (a signal, or a
// sanitizer's report, which the test makes exit 99), never a hang, every failure exit 2 (bad
// input: a malformed object or manifest, or a program the verifier refuses) with the chain as
// it was. XDPCHAIN_MUTATIONS=N inputs of each kind (default 40, what CI runs in the
// sanitizer stage; docs/testing.md runs 1000). A mutant the command accepts is undone.
TEST_F(Hardening, MutatedObjectsAndManifestsNeverCrash) {
  const char *wanted = std::getenv("XDPCHAIN_MUTATIONS");
  const int count = wanted ? std::atoi(wanted) : 40;
  // A sanitizer's report must not look like exit 1 (the default exit code of both).
  for (const char *var : {"ASAN_OPTIONS", "UBSAN_OPTIONS"}) {
    const char *old = std::getenv(var);
    std::string value = std::string(old ? old : "") + (old && *old ? ":" : "") + "exitcode=99";
    setenv(var, value.c_str(), 1);
  }
  json before = base_chain(); // the reference; an accepted and undone mutant renews it
  std::mt19937 random(9);
  auto mutate = [&](std::string bytes) {
    switch (random() % 4) {
    case 0: // a few random bytes
      for (int n = 1 + random() % 8; n > 0; --n)
        bytes[random() % bytes.size()] = static_cast<char>(random());
      break;
    case 1: // one byte set to an extreme
      bytes[random() % bytes.size()] = "\x00\xff\x7f\x80"[random() % 4];
      break;
    case 2: // truncated
      bytes.resize(random() % bytes.size());
      break;
    default: // a run of bytes copied from elsewhere in the file
    {
      size_t from = random() % bytes.size(), to = random() % bytes.size();
      size_t len = std::min<size_t>({1 + random() % 64, bytes.size() - from, bytes.size() - to});
      std::memmove(bytes.data() + to, bytes.data() + from, len);
    }
    }
    return bytes;
  };
  const std::string object = scratch_ + "/mutant.o";
  const std::string manifest = scratch_ + "/mutant.yaml";
  std::map<int, int> object_codes, manifest_codes;
  int crashes = 0, hangs = 0, changed = 0;
  auto check = [&](const CommandResult &r, std::map<int, int> &codes, const std::string &undo) {
    ++codes[r.exit_code];
    if (r.timed_out) ++hangs;
    if (r.exit_code >= 99 || r.exit_code < 0) {
      ++crashes;
      const std::string kept = "/tmp/" + unique_name("xdpchain-mutant-crash-");
      fs::copy_file(r.command.find("mutant.o") != std::string::npos ? object : manifest, kept);
      ADD_FAILURE() << "crash (input kept as " << kept << "): " << r;
    }
    EXPECT_FALSE(r.timed_out) << r;
    EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 2) << r;
    if (r.exit_code == 0) {
      // An accepted object is removed again; an accepted manifest is compared with the
      // chain before it, and undone, by the caller.
      if (!undo.empty()) {
        EXPECT_EQ(cli_.run({"remove", iface_, undo}).exit_code, 0);
        before = cli_.status(iface_);
      }
    } else if (without_counters(cli_.status(iface_)) != without_counters(before)) {
      ++changed;
      ADD_FAILURE() << "the chain changed: " << r;
    }
  };

  std::vector<std::string> originals;
  for (const char *prog : {"xdp_count", "xdp_multi", "xdp_tail_call", "xdp_run_config"})
    originals.push_back(read_bytes(prog_path(prog)));
  for (int i = 0; i < count; ++i) {
    write_bytes(object, mutate(originals[i % originals.size()]));
    CommandResult r = cli_.run({"add", iface_, object, "--name", "mutant", "--program",
                                i % 4 == 1 ? "multi_main" : (i % 4 == 2 ? "tail_main" : "")},
                               30s);
    // --program "" means the object's only program.
    check(r, object_codes, "mutant");
  }

  // The manifest of the running chain: applying it unchanged changes nothing.
  const std::string exported = cli_.run({"export", iface_}).out;
  ASSERT_FALSE(exported.empty());
  for (int i = 0; i < count; ++i) {
    write_bytes(manifest, mutate(exported));
    CommandResult r = cli_.run({"apply", "-f", manifest}, 30s);
    check(r, manifest_codes, "");
    if (r.exit_code == 0 && without_counters(cli_.status(iface_)) != without_counters(before)) {
      write_bytes(manifest, exported); // a mutant that was still a valid, different chain
      ASSERT_EQ(cli_.run({"apply", "-f", manifest}).exit_code, 0);
      before = cli_.status(iface_);
    }
  }
  EXPECT_EQ(member_ids(cli_.status(iface_)).size(), 1u);
  EXPECT_EQ(net_.ping(2), 2);
  auto show = [](const std::map<int, int> &codes) {
    std::string out;
    for (auto [code, n] : codes)
      out += " exit " + std::to_string(code) + ": " + std::to_string(n) + ";";
    return out;
  };
  std::cout << count << " mutated objects:" << show(object_codes) << "\n"
            << count << " mutated manifests:" << show(manifest_codes) << "\n"
            << crashes << " crashes, " << hangs << " hangs, " << changed
            << " failures that changed the chain\n";
}

} // namespace
} // namespace xdpchain::test
