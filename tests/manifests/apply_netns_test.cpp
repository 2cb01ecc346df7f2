// `xdpchain apply`, `diff` and `export` against real chains: the scenarios of issue 5,
// judged by ping/UDP traffic across the veth pair and by `status --json`.
#include "tests/manifests/apply_fixture.h"

#include <bpf/bpf.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace xdpchain::test {
namespace {

using Labels = std::vector<std::string>;
using nlohmann::json;

// count (10) -> drop-icmp (20) -> pass (30); count's map pinned under the test's pins.
std::vector<Program> edge(const std::string &pins, int pass_priority = 30) {
  return {{"count", "xdp_count", 10,
           "      maps:\n        - name: proto_count\n          pin: " + pins + "/proto_count\n"},
          {"drop-icmp", "xdp_drop_icmp", 20, ""},
          {"pass", "xdp_pass", pass_priority, ""}};
}

uint64_t read_pinned_u64(const std::string &pin, uint32_t key) {
  int fd = bpf_obj_get(pin.c_str());
  EXPECT_GE(fd, 0) << "no map pinned at " << pin;
  if (fd < 0) return ~0ull;
  uint64_t value = ~0ull;
  EXPECT_EQ(bpf_map_lookup_elem(fd, &key, &value), 0);
  ::close(fd);
  return value;
}

// prog ids by label, plus the chain's generation and dispatcher: what "nothing changed"
// means to the kernel.
struct Snapshot {
  std::map<std::string, uint32_t> prog_ids;
  uint32_t generation = 0;
  uint32_t dispatcher = 0;
  uint32_t link = 0;
  bool operator==(const Snapshot &) const = default;
};

Snapshot snapshot(const json &status) {
  Snapshot s;
  for (const auto &p : status.value("programs", json::array()))
    s.prog_ids[p.value("label", std::string())] = p.value("prog_id", 0u);
  s.generation = status.value("generation", 0u);
  s.dispatcher = status.value("dispatcher_prog_id", 0u);
  s.link = status.value("xdp_link_id", 0u);
  return s;
}

std::ostream &operator<<(std::ostream &os, const Snapshot &s) {
  os << "{generation " << s.generation << ", dispatcher " << s.dispatcher << ", link " << s.link;
  for (const auto &[label, id] : s.prog_ids)
    os << ", " << label << " " << id;
  return os << "}";
}

TEST_P(ApplyTest, ThreeProgramManifestGivesVerdictsOnRealTraffic) {
  std::string path = write("edge.yaml", document("edge", edge(pins())));
  CommandResult r = apply(path);
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_NE(r.out.find("swapped (generation 1)"), std::string::npos) << r;
  EXPECT_NE(r.out.find("+ added     count"), std::string::npos) << r;

  json st = status();
  EXPECT_TRUE(st.value("present", false));
  EXPECT_EQ(st.value("backend", ""), backend());
  ASSERT_EQ(labels(st), (Labels{"count", "drop-icmp", "pass"})) << st.dump(2);
  EXPECT_EQ(member(st, "drop-icmp").value("object", ""),
            std::filesystem::path(dir() + "/progs/xdp_drop_icmp.o").lexically_normal().string());

  EXPECT_EQ(net().ping(4), 0) << "ping passed a chain with a program that drops ICMP";
  EXPECT_EQ(net().send_udp(7000, 6), 6) << "UDP dropped by a chain that only drops ICMP";

  st = status();
  EXPECT_EQ(counter(st, "count", "entered"), 10u);
  EXPECT_EQ(counter(st, "count", "pass"), 10u);
  EXPECT_EQ(counter(st, "drop-icmp", "entered"), 10u);
  EXPECT_EQ(counter(st, "drop-icmp", "drop"), 4u);
  EXPECT_EQ(counter(st, "pass", "entered"), 6u);
  EXPECT_EQ(read_pinned_u64(pins() + "/proto_count", 1), 4u) << "ICMP in the pinned map";
  EXPECT_EQ(read_pinned_u64(pins() + "/proto_count", 17), 6u) << "UDP in the pinned map";
}

// `proceedOn: []`: every verdict of that program is final, so the programs after it never
// run. Tail calls and fused leave them out of the code (the verifier refuses code nothing
// reaches); freplace must call every member, so there it is refused unless the program is
// the last one.
TEST_P(ApplyTest, EmptyProceedOnEndsTheChainAtThatProgram) {
  CommandResult r =
      apply(write("ends.yaml", document("ends", {{"first", "xdp_pass", 10, "      proceedOn: []\n"},
                                                 {"drop-icmp", "xdp_drop_icmp", 20, ""}})));
  if (backend() == "freplace") {
    ASSERT_EXIT_CODE(r, 3);
    EXPECT_NE(r.err.find("program 'first' ends the chain for every packet"), std::string::npos)
        << r;
    EXPECT_NE(r.err.find("--backend tailcall or --backend fused"), std::string::npos) << r;
    EXPECT_FALSE(status().value("present", true)) << "a refused manifest changes nothing";
  } else {
    ASSERT_EXIT_CODE(r, 0);
    EXPECT_EQ(net().ping(3), 3) << "xdp_pass's verdict is final: drop-icmp must not run";
    json st = status();
    EXPECT_EQ(member(st, "first").value("proceed_on", json::array()), json::array());
    EXPECT_EQ(counter(st, "first", "pass"), 3u);
    EXPECT_EQ(counter(st, "drop-icmp", "entered"), 0u);
  }
  // As the last program's, an empty continue set works on every backend.
  ASSERT_EXIT_CODE(apply(write("last.yaml", document("ends", {{"first", "xdp_pass", 10, ""},
                                                              {"drop-icmp", "xdp_drop_icmp", 20,
                                                               "      proceedOn: []\n"}}))),
                   0);
  EXPECT_EQ(net().ping(2), 0);
  json st = status();
  EXPECT_EQ(member(st, "drop-icmp").value("proceed_on", json::array()), json::array());
  EXPECT_EQ(counter(st, "drop-icmp", "drop"), 2u);
}

TEST_P(ApplyTest, ApplyingTheSameManifestAgainChangesNothing) {
  std::string path = write("edge.yaml", document("edge", edge(pins())));
  ASSERT_EXIT_CODE(apply(path), 0);
  EXPECT_EQ(net().ping(3), 0);
  Snapshot before = snapshot(status());

  CommandResult again = apply(path);
  ASSERT_EXIT_CODE(again, 0);
  EXPECT_NE(again.out.find("unchanged, no swap"), std::string::npos) << again;
  for (const char *label : {"count", "drop-icmp", "pass"})
    EXPECT_NE(again.out.find(std::string("= unchanged ") + label), std::string::npos) << again;
  json st = status();
  EXPECT_EQ(snapshot(st), before) << "same program ids, no new generation";
  EXPECT_EQ(counter(st, "count", "entered"), 3u) << "counters survive the re-apply";
  EXPECT_EQ(read_pinned_u64(pins() + "/proto_count", 1), 3u) << "the map survives too";

  CommandResult d = diff(path);
  ASSERT_EXIT_CODE(d, 0);
  EXPECT_NE(d.out.find("edge: interface '" + iface() + "'"), std::string::npos) << d;
  EXPECT_NE(d.out.find(": matches"), std::string::npos) << d;
}

TEST_P(ApplyTest, ChangingOnePriorityReordersWithOneSwap) {
  ASSERT_EXIT_CODE(apply(write("edge.yaml", document("edge", edge(pins())))), 0);
  EXPECT_EQ(net().ping(2), 0);
  json before = status();

  std::string moved = write("moved.yaml", document("edge", edge(pins(), 5)));
  CommandResult d = diff(moved);
  ASSERT_EXIT_CODE(d, 5);
  EXPECT_NE(d.out.find("* changed   pass       priority 30 -> 5"), std::string::npos) << d;
  EXPECT_NE(d.out.find("~ reordered count"), std::string::npos) << d;
  EXPECT_EQ(snapshot(status()), snapshot(before)) << "diff changed the chain";

  CommandResult r = apply(moved);
  ASSERT_EXIT_CODE(r, 0);
  json after = status();
  EXPECT_EQ(labels(after), (Labels{"pass", "count", "drop-icmp"})) << after.dump(2);
  EXPECT_EQ(after.value("generation", 0u), before.value("generation", 0u) + 1) << "one swap";
  EXPECT_EQ(after.value("xdp_link_id", 0u), before.value("xdp_link_id", 0u))
      << "the swap replaced the program behind the link, not the link";
  for (const char *label : {"count", "drop-icmp"})
    EXPECT_EQ(member(after, label).value("prog_id", 0u), member(before, label).value("prog_id", 1u))
        << label << " only moved: it keeps its program";
  EXPECT_EQ(counter(after, "count", "entered"), 2u) << "and its counters";
  EXPECT_EQ(net().ping(2), 0) << "ICMP still dropped after the reorder";
  EXPECT_EQ(net().send_udp(7001, 3), 3);
  ASSERT_EXIT_CODE(diff(moved), 0);
}

// A member's counters as `status --json` shows them: {entered, aborted, drop, pass, tx,
// redirect, other}, to compare whole.
std::vector<uint64_t> counts(const json &status, const std::string &label) {
  std::vector<uint64_t> out;
  for (const char *name : {"entered", "aborted", "drop", "pass", "tx", "redirect", "other"})
    out.push_back(counter(status, label, name));
  return out;
}
using Expected = std::vector<uint64_t>;

// Counter blocks and baselines are carried across generations: every member's counts stay
// exact, entered and per verdict, through a reorder, an object swap, a removal and an add
// that reuses the removed member's block (which still holds its old counts).
TEST_P(ApplyTest, CountsStayExactThroughReorderSwapRemoveAndAdd) {
  const std::string tx_extra = "      proceedOn: [tx, pass]\n";
  std::vector<Program> chain = edge(pins());
  chain.push_back({"tx", "verdict_tx", 25, tx_extra});
  ASSERT_EXIT_CODE(apply(write("a.yaml", document("edge", chain))), 0);
  EXPECT_EQ(net().ping(3), 0);
  EXPECT_EQ(net().send_udp(7000, 4), 4);
  json st = status();
  ASSERT_EQ(labels(st), (Labels{"count", "drop-icmp", "tx", "pass"})) << st.dump(2);
  //                                   entered ab drop pass tx redirect other
  EXPECT_EQ(counts(st, "count"), (Expected{7, 0, 0, 7, 0, 0, 0}));
  EXPECT_EQ(counts(st, "drop-icmp"), (Expected{7, 0, 3, 4, 0, 0, 0}));
  EXPECT_EQ(counts(st, "tx"), (Expected{4, 0, 0, 0, 4, 0, 0}));
  EXPECT_EQ(counts(st, "pass"), (Expected{4, 0, 0, 4, 0, 0, 0}));

  // Reorder: tx first, then pass, then the rest.
  chain = edge(pins(), 5);
  chain.push_back({"tx", "verdict_tx", 1, tx_extra});
  ASSERT_EXIT_CODE(apply(write("b.yaml", document("edge", chain))), 0);
  EXPECT_EQ(net().ping(2), 0);
  EXPECT_EQ(net().send_udp(7000, 3), 3);
  st = status();
  ASSERT_EQ(labels(st), (Labels{"tx", "pass", "count", "drop-icmp"})) << st.dump(2);
  EXPECT_EQ(counts(st, "tx"), (Expected{9, 0, 0, 0, 9, 0, 0}));
  EXPECT_EQ(counts(st, "pass"), (Expected{9, 0, 0, 9, 0, 0, 0}));
  EXPECT_EQ(counts(st, "count"), (Expected{12, 0, 0, 12, 0, 0, 0}));
  EXPECT_EQ(counts(st, "drop-icmp"), (Expected{12, 0, 5, 7, 0, 0, 0}));

  // Swap: "pass" becomes an ICMP dropper (a new program: its counts start at zero);
  // drop-icmp leaves, a UDP-port dropper joins at the end.
  chain = {edge(pins())[0],
           {"pass", "xdp_drop_icmp", 5, ""},
           {"tx", "verdict_tx", 1, tx_extra},
           {"port", "xdp_drop_udp_port", 40, ""}};
  ASSERT_EXIT_CODE(apply(write("c.yaml", document("edge", chain))), 0);
  EXPECT_EQ(net().ping(2), 0);
  EXPECT_EQ(net().send_udp(7000, 3), 3);
  st = status();
  ASSERT_EQ(labels(st), (Labels{"tx", "pass", "count", "port"})) << st.dump(2);
  EXPECT_EQ(counts(st, "tx"), (Expected{14, 0, 0, 0, 14, 0, 0}));
  EXPECT_EQ(counts(st, "pass"), (Expected{5, 0, 2, 3, 0, 0, 0}));
  EXPECT_EQ(counts(st, "count"), (Expected{15, 0, 0, 15, 0, 0, 0}));
  EXPECT_EQ(counts(st, "port"), (Expected{3, 0, 0, 3, 0, 0, 0}));

  // drop-icmp comes back: whatever block it gets (one that held counts before, or a fresh
  // one), it starts from zero.
  chain.push_back(edge(pins())[1]);
  ASSERT_EXIT_CODE(apply(write("d.yaml", document("edge", chain))), 0);
  EXPECT_EQ(net().send_udp(7000, 2), 2);
  st = status();
  ASSERT_EQ(labels(st), (Labels{"tx", "pass", "count", "drop-icmp", "port"})) << st.dump(2);
  EXPECT_EQ(counts(st, "drop-icmp"), (Expected{2, 0, 0, 2, 0, 0, 0}));
  EXPECT_EQ(counts(st, "port"), (Expected{5, 0, 0, 5, 0, 0, 0}));
  EXPECT_EQ(counts(st, "tx"), (Expected{16, 0, 0, 0, 16, 0, 0}));
}

TEST_P(ApplyTest, BrokenManifestLeavesTheChainAndItsTrafficUntouched) {
  ASSERT_EXIT_CODE(apply(write("edge.yaml", document("edge", edge(pins())))), 0);
  Snapshot before = snapshot(status());

  // Valid except for three mistakes, one of which also drops drop-icmp from the chain.
  std::vector<Program> programs = {{"count", "xdp_count", 10, "      colour: red\n"},
                                   {"pass", "xdp_pass_missing", 30, ""},
                                   {"late", "xdp_pass", 2000, ""}};
  std::string broken = write("broken.yaml", document("edge", programs));
  CommandResult r = apply(broken);
  ASSERT_EXIT_CODE(r, 2);
  EXPECT_NE(r.err.find(broken + ":13:7: key 'spec.programs[0].colour': unknown key"),
            std::string::npos)
      << r;
  EXPECT_NE(r.err.find(broken + ":15:15: key 'spec.programs[1].object': file not found: "),
            std::string::npos)
      << r;
  EXPECT_NE(r.err.find(broken + ":19:17: key 'spec.programs[2].priority': priority 2000 out "
                                "of range 0..1000"),
            std::string::npos)
      << r;
  EXPECT_NE(r.err.find("3 problems; nothing changed"), std::string::npos) << r;
  ASSERT_EXIT_CODE(diff(broken), 2);

  // Valid YAML the loader refuses: a program the object does not have.
  std::vector<Program> wrong_program = edge(pins());
  wrong_program[2].extra = "      program: no_such_function\n";
  CommandResult refused = apply(write("refused.yaml", document("edge", wrong_program)));
  EXPECT_NE(refused.exit_code, 0) << refused;
  EXPECT_NE(refused.err.find("nothing changed"), std::string::npos) << refused;

  EXPECT_EQ(snapshot(status()), before);
  EXPECT_EQ(net().ping(3), 0) << "ICMP still dropped";
  EXPECT_EQ(net().send_udp(7002, 3), 3) << "UDP still passes";
}

TEST_P(ApplyTest, ExportThenApplyRoundTrips) {
  std::vector<Program> programs = edge(pins());
  programs[1].extra = "      proceedOn: [pass, XDP_TX]\n";
  ASSERT_EXIT_CODE(apply(write("edge.yaml", document("edge", programs))), 0);
  Snapshot before = snapshot(status());

  std::filesystem::create_directory(dir() + "/elsewhere");
  std::string exported = dir() + "/elsewhere/exported.yaml";
  ASSERT_EXIT_CODE(export_to(exported), 0);
  std::ifstream in(exported);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("kind: XdpChain"), std::string::npos) << text;
  EXPECT_NE(text.find("backend: " + backend()), std::string::npos) << text;
  EXPECT_NE(text.find("proceedOn: [pass, tx]"), std::string::npos) << text;

  CommandResult d = diff(exported);
  ASSERT_EXIT_CODE(d, 0);
  EXPECT_NE(d.out.find(": matches"), std::string::npos) << d;
  CommandResult r = apply(exported);
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_NE(r.out.find("unchanged, no swap"), std::string::npos) << r;
  EXPECT_EQ(snapshot(status()), before);

  // The export also recreates the chain from nothing.
  std::string empty = write("empty.yaml", document("edge", {}));
  ASSERT_EXIT_CODE(apply(empty), 0);
  EXPECT_FALSE(status().value("present", true));
  EXPECT_EQ(net().ping(2), 2) << "no chain: ping passes";
  ASSERT_EXIT_CODE(diff(exported), 5);
  ASSERT_EXIT_CODE(apply(exported), 0);
  EXPECT_EQ(labels(status()), (Labels{"count", "drop-icmp", "pass"}));
  EXPECT_EQ(net().ping(2), 0);
  ASSERT_EXIT_CODE(diff(exported), 0);
}

// `counters: false` mirrors `--counters off`: only the fused backend takes it. apply turns
// the counters off, diff/export/apply round-trip it, and removing the key turns them back on.
TEST_P(ApplyTest, CountersFalseRoundTripsOnFusedAndIsRefusedElsewhere) {
  const std::string on = document("edge", edge(pins()));
  std::string off = on;
  const std::string backend_line = "  backend: " + backend() + "\n";
  off.insert(off.find(backend_line) + backend_line.size(), "  counters: false\n");
  const std::string off_path = write("off.yaml", off);
  if (backend() != "fused") {
    CommandResult refused = apply(off_path);
    ASSERT_EXIT_CODE(refused, 2);
    EXPECT_NE(refused.err.find("off.yaml:9:13: key 'spec.counters': counters: false needs "
                               "backend: fused, not " +
                               backend()),
              std::string::npos)
        << refused;
    EXPECT_FALSE(status().value("present", true)) << "nothing applied";
    return;
  }
  ASSERT_EXIT_CODE(apply(off_path), 0);
  json st = status();
  EXPECT_EQ(st.value("counters", true), false);
  EXPECT_EQ(net().ping(3), 0) << "the chain runs: drop-icmp drops the pings";
  EXPECT_TRUE(member(status(), "count")["counters"]["entered"].is_null()) << "no counters";
  EXPECT_EQ(read_pinned_u64(pins() + "/proto_count", 1), 3u) << "the member itself ran";
  ASSERT_EXIT_CODE(diff(off_path), 0);

  std::string exported = dir() + "/exported.yaml";
  ASSERT_EXIT_CODE(export_to(exported), 0);
  std::ifstream in(exported);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("counters: false"), std::string::npos) << text;
  CommandResult again = apply(exported);
  ASSERT_EXIT_CODE(again, 0);
  EXPECT_NE(again.out.find("unchanged, no swap"), std::string::npos) << again;

  const std::string on_path = write("on.yaml", on);
  CommandResult d = diff(on_path);
  ASSERT_EXIT_CODE(d, 5);
  EXPECT_NE(d.out.find("counters: off -> on"), std::string::npos) << d;
  ASSERT_EXIT_CODE(apply(on_path), 0);
  EXPECT_EQ(status().value("counters", false), true);
  EXPECT_EQ(net().ping(2), 0);
  EXPECT_EQ(counter(status(), "count", "entered"), 2u) << "counters back on";
  ASSERT_EXIT_CODE(diff(on_path), 0);
}

TEST_P(ApplyTest, TwoDocumentsChangeBothInterfacesOrNeither) {
  const NetnsEndpoint &peer = net().peer();
  std::string both = document("dut", {{"drop-icmp", "xdp_drop_icmp", 20, ""}}) + "---\n" +
                     document("peer", {{"count", "xdp_count", 10, ""}}, peer.ifname, peer.netns);
  ASSERT_EXIT_CODE(apply(write("both.yaml", both)), 0);
  EXPECT_EQ(labels(status()), (Labels{"drop-icmp"}));
  EXPECT_EQ(labels(status(/*peer=*/true)), (Labels{"count"}));
  EXPECT_EQ(net().ping(2), 0);
  ASSERT_EXIT_CODE(diff(write("both.yaml", both)), 0);

  // The second document is broken: the first interface must not change either.
  std::string half = document("dut", {{"pass", "xdp_pass", 20, ""}}) + "---\n" +
                     document("peer", {{"count", "xdp_count", 10, ""}}, "no-such-if0", peer.netns);
  CommandResult r = apply(write("half.yaml", half));
  ASSERT_EXIT_CODE(r, 2);
  EXPECT_NE(
      r.err.find("interface 'no-such-if0' not found in network namespace '" + peer.netns + "'"),
      std::string::npos)
      << r;
  EXPECT_EQ(labels(status()), (Labels{"drop-icmp"}));
  EXPECT_EQ(net().ping(2), 0);
}

// The second document passes every check but its member fails in the kernel (the verifier
// refuses xdp_bad_access, exit 2): the first interface, already swapped, goes back to its exact
// previous chain: the same dispatcher, member and entry programs (kernel ids), the same
// counters, the same traffic verdicts.
TEST_P(ApplyTest, KernelFailureOnSecondInterfaceRestoresTheFirstExactly) {
  const NetnsEndpoint &peer = net().peer();
  std::string both =
      document("dut", {{"count", "xdp_count", 10, ""}, {"drop-icmp", "xdp_drop_icmp", 20, ""}}) +
      "---\n" + document("peer", {{"count", "xdp_count", 10, ""}}, peer.ifname, peer.netns);
  ASSERT_EXIT_CODE(apply(write("both.yaml", both)), 0);
  EXPECT_EQ(net().ping(3), 0);
  json before = status();
  json peer_before = status(/*peer=*/true);
  const uint32_t attached_before = net().dut_xdp()["prog"].value("id", 0u);
  ASSERT_NE(attached_before, 0u);
  ASSERT_EQ(attached_before, before.value("dispatcher_prog_id", 0u));

  std::string half = document("dut", {{"pass", "xdp_pass", 20, ""}}) + "---\n" +
                     document("peer", {{"bad", "xdp_bad_access", 10, ""}}, peer.ifname, peer.netns);
  CommandResult r = apply(write("half.yaml", half));
  ASSERT_EXIT_CODE(r, 2); // a member the verifier refuses is bad input
  EXPECT_NE(r.err.find("program 'bad'"), std::string::npos) << r;
  EXPECT_NE(r.err.find("previous chain restored"), std::string::npos) << r;

  json after = status();
  EXPECT_EQ(snapshot(after), snapshot(before));
  EXPECT_EQ(net().dut_xdp()["prog"].value("id", 0u), attached_before);
  for (const char *label : {"count", "drop-icmp"}) {
    EXPECT_EQ(member(after, label).value("entry_prog_id", 0u),
              member(before, label).value("entry_prog_id", 0u))
        << label;
    EXPECT_EQ(counter(after, label, "entered"), counter(before, label, "entered")) << label;
  }
  EXPECT_EQ(counter(after, "count", "entered"), 3u);
  EXPECT_EQ(snapshot(status(/*peer=*/true)), snapshot(peer_before));
  EXPECT_EQ(net().ping(2), 0) << "drop-icmp runs again";
  EXPECT_EQ(counter(status(), "drop-icmp", "drop"), 5u);
  // With --json the failure is one document: the error, and what became of the interface
  // changed before it (its previous chain is back).
  CommandResult rj = apply(write("half.yaml", half), {"--json"});
  ASSERT_EXIT_CODE(rj, 2);
  json doc = json::parse(rj.out); // throws if stdout holds more than one document
  EXPECT_EQ(doc["error"].value("exit_code", 0), 2) << rj;
  ASSERT_EQ(doc["restored"].size(), 1u) << rj;
  EXPECT_EQ(doc["restored"][0].value("interface", ""), net().dut().ifname) << rj;
  EXPECT_TRUE(doc["restored"][0].value("restored", false)) << rj;
  EXPECT_FALSE(doc["restored"][0].contains("error")) << rj;
  EXPECT_EQ(snapshot(status()), snapshot(after));
  // The restored chain is the one the first manifest describes: applying it again swaps nothing.
  ASSERT_EXIT_CODE(apply(write("both.yaml", both)), 0);
  EXPECT_EQ(snapshot(status()), snapshot(before)) << "already matches: no swap";
}

TEST_P(ApplyTest, DryRunChangesNothing) {
  std::string path = write("edge.yaml", document("edge", edge(pins())));
  CommandResult r = apply(path, {"--dry-run"});
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_NE(r.out.find("would change (dry run)"), std::string::npos) << r;
  EXPECT_FALSE(status().value("present", true));
  EXPECT_EQ(net().ping(2), 2);
  ASSERT_EXIT_CODE(diff(path), 5);
}

TEST_P(ApplyTest, LispSourceIsCompiledOnTheFly) {
  ::setenv("XDPCHAIN_OBJECT_CACHE", (dir() + "/objects").c_str(), 1);
  std::filesystem::copy_file(XDPCHAIN_SOURCE_DIR "/manifests/examples/drop-port.lisp",
                             dir() + "/drop-port.lisp");
  std::string text = document("lisp", {{"count", "xdp_count", 10, ""}});
  text += "    - name: drop-port\n      source: drop-port.lisp\n";
  std::string path = write("lisp.yaml", text);
  CommandResult r = apply(path);
  ::unsetenv("XDPCHAIN_OBJECT_CACHE");
  ASSERT_EXIT_CODE(r, 0);
  json st = status();
  ASSERT_EQ(labels(st), (Labels{"count", "drop-port"})) << st.dump(2);
  EXPECT_EQ(member(st, "drop-port").value("priority", 0), 20) << "from (:priority 20)";
  EXPECT_EQ(member(st, "drop-port").value("object", "").rfind(dir() + "/objects/", 0), 0u);
  EXPECT_EQ(net().send_udp(9999, 3), 0) << "the compiled program drops port 9999";
  EXPECT_EQ(net().send_udp(7000, 3), 3);

  ::setenv("XDPCHAIN_OBJECT_CACHE", (dir() + "/objects").c_str(), 1);
  CommandResult again = apply(path);
  ::unsetenv("XDPCHAIN_OBJECT_CACHE");
  ASSERT_EXIT_CODE(again, 0);
  EXPECT_NE(again.out.find("unchanged, no swap"), std::string::npos)
      << "the same source compiles to the same cached object: " << again;
}

// `export` of members applied from .lisp sources names those sources, not the compile
// cache: the export applies back with nothing to change, and rebuilds the chain from
// nothing.
TEST_P(ApplyTest, ExportOfLispMembersNamesTheirSources) {
  ::setenv("XDPCHAIN_OBJECT_CACHE", (dir() + "/objects").c_str(), 1);
  std::filesystem::create_directory(dir() + "/src");
  for (const char *name : {"drop-icmp.lisp", "pass.lisp"})
    std::filesystem::copy_file(std::string(XDPCHAIN_SOURCE_DIR "/manifests/examples/demo/") + name,
                               dir() + "/src/" + name);
  std::string text = document("lisp", {{"count", "xdp_count", 10, ""}});
  text += "    - name: drop-icmp\n      source: src/drop-icmp.lisp\n      priority: 20\n";
  text += "    - name: pass\n      source: src/pass.lisp\n      priority: 30\n";
  ASSERT_EXIT_CODE(apply(write("lisp.yaml", text)), 0);
  Snapshot before = snapshot(status());
  EXPECT_EQ(net().ping(2), 0) << "drop-icmp runs";

  std::filesystem::create_directory(dir() + "/elsewhere");
  std::string exported = dir() + "/elsewhere/exported.yaml";
  ASSERT_EXIT_CODE(export_to(exported), 0);
  std::ifstream in(exported);
  std::string out((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(out.find("    - name: drop-icmp\n      source: " + dir() + "/src/drop-icmp.lisp\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("    - name: pass\n      source: " + dir() + "/src/pass.lisp\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("object: " + dir() + "/progs/xdp_count.o"), std::string::npos) << out;
  EXPECT_EQ(out.find("/objects/"), std::string::npos) << "a cache path was exported:\n" << out;

  CommandResult d = diff(exported);
  ASSERT_EXIT_CODE(d, 0);
  EXPECT_NE(d.out.find(": matches"), std::string::npos) << d;
  CommandResult again = apply(exported);
  ASSERT_EXIT_CODE(again, 0);
  EXPECT_NE(again.out.find("unchanged, no swap"), std::string::npos) << again;
  EXPECT_EQ(snapshot(status()), before);

  ASSERT_EXIT_CODE(apply(write("empty.yaml", document("lisp", {}))), 0);
  EXPECT_EQ(net().ping(2), 2) << "no chain: ping passes";
  ASSERT_EXIT_CODE(apply(exported), 0);
  EXPECT_EQ(labels(status()), (Labels{"count", "drop-icmp", "pass"}));
  EXPECT_EQ(net().ping(2), 0) << "the re-created drop-icmp runs";
  ASSERT_EXIT_CODE(diff(exported), 0);
  ::unsetenv("XDPCHAIN_OBJECT_CACHE");
}

} // namespace
} // namespace xdpchain::test
