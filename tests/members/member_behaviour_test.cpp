// Each member runs on the same packets three ways: alone (its object loaded with libbpf),
// and as the middle member of a chain [xdp_pass, member, xdp_count] on each backend, the
// chain's attached program run with BPF_PROG_TEST_RUN. Verdicts, the bytes out and every
// value of the member's own maps must be the same; the member that follows must have seen
// exactly the packets the member passed (on fused none after the member's own tail call,
// which leaves the chain there).
#include "common/fd.h"
#include "tests/support/bpf_kernel.h"
#include "tests/support/netns_pair.h"
#include "tests/support/packet_builder.h"
#include "tests/support/xdpchain_cli.h"

#include <bpf/bpf.h>
#include <gtest/gtest.h>
#include <linux/bpf.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <ostream>
#include <set>
#include <string>
#include <tuple>
#include <vector>

namespace xdpchain::test {
namespace {

using Packet = std::vector<uint8_t>;

struct MemberCase {
  std::string name;
  std::string source;            // .o from tests/progs, or a .lisp source
  std::string program;           // function to run ("" = the object's only one)
  std::vector<std::string> maps; // the member's array maps to compare, by kernel name
  std::vector<Packet> packets;   // run in this order
  std::set<int> verdicts_alone;  // every verdict the member must give alone
  bool rewrites = true;          // some packet must come out changed
  std::string tail_target;       // program to put at slot 0 of map "jump_table"
  std::vector<std::string> backends;
};

// gtest prints the case by name, not as bytes.
void PrintTo(const MemberCase &c, std::ostream *os) {
  *os << c.name;
}

struct Observed {
  std::vector<int> verdicts;
  std::vector<Packet> packets_out;
  std::map<std::string, std::vector<uint64_t>> maps; // name -> value of every key
};

Packet udp(uint16_t sport, uint16_t dport) {
  return PacketBuilder().ipv4("10.0.0.2", "10.0.0.1").udp(sport, dport).build();
}
Packet icmp_echo() {
  return PacketBuilder().ipv4("10.0.0.2", "10.0.0.1").icmp_echo(7, 3).build();
}
Packet arp() {
  return PacketBuilder().ethertype(0x0806).build();
}
// An IPv4 UDP frame with the 4-byte tag of member_adjust_head.c (0x88B5, number 0x1234)
// between the Ethernet addresses and the EtherType.
Packet tagged() {
  Packet frame = udp(40000, 9999);
  const uint8_t tag[] = {0x88, 0xb5, 0x12, 0x34};
  frame.insert(frame.begin() + 12, std::begin(tag), std::end(tag));
  return frame;
}

std::string progs(const std::string &name) {
  return prog_path(name);
}
std::string lisp(const std::string &name) {
  return std::string(XDPCHAIN_SOURCE_DIR) + "/tests/compiler/bench/" + name + ".lisp";
}

std::vector<MemberCase> member_cases() {
  constexpr int pass = XDP_PASS, drop = XDP_DROP, tx = XDP_TX;
  const std::vector<std::string> both = {"fused", "tailcall"};
  return {
      {"BigStack",
       progs("member_big_stack"),
       "",
       {"stack_stats"},
       {udp(40000, 9999), icmp_echo(), udp(40001, 53), arp()},
       {tx, pass},
       true,
       "",
       both},
      {"Subprograms",
       progs("member_subprogs"),
       "",
       {"flow_stats"},
       {udp(40000, 9999), udp(40001, 9999), udp(40002, 53), udp(40003, 53), icmp_echo(),
        udp(40004, 80), udp(40005, 80)},
       {drop, pass},
       true,
       "",
       both},
      // On the tail-call backend the member runs as a subprogram of the entry program, whose
      // BTF func_info lets the kernel take a tail call from there.
      {"OwnTailCall",
       progs("member_tail_call"),
       "member_tail_call",
       {"tail_stats"},
       {udp(40000, 9999), icmp_echo()},
       {pass},
       true,
       "tail_target",
       both},
      {"AdjustHead",
       progs("member_adjust_head"),
       "",
       {"tag_stats"},
       {udp(40000, 9999), tagged(), arp(), icmp_echo()},
       {pass},
       true,
       "",
       both},
      {"LispIcmpEcho",
       lisp("icmp_echo"),
       "",
       {"echo_stats"},
       {icmp_echo(), udp(40000, 9999), icmp_echo()},
       {tx, pass},
       true,
       "",
       both},
      // A callback (bpf_loop): the tail-call backend's entry program carries func_info for
      // every function, the callback included, so it runs there; fused refuses it
      // (FusedMemberRefusal below).
      {"LoopCallback",
       progs("member_loop_callback"),
       "",
       {"loop_stats"},
       {udp(40000, 9999), icmp_echo()},
       {pass},
       false,
       "",
       {"tailcall"}},
  };
}

Fd prog_fd_by_id(uint32_t id) {
  Fd fd(bpf_prog_get_fd_by_id(id));
  if (!fd) throw std::runtime_error("program id " + std::to_string(id) + " is gone");
  return fd;
}

uint32_t prog_id_of(int prog_fd) {
  bpf_prog_info info{};
  uint32_t len = sizeof info;
  if (bpf_obj_get_info_by_fd(prog_fd, &info, &len) != 0) throw std::runtime_error("program info");
  return info.id;
}

std::vector<uint64_t> array_values(uint32_t map_id) {
  Fd fd(bpf_map_get_fd_by_id(map_id));
  bpf_map_info info{};
  uint32_t len = sizeof info;
  if (!fd || bpf_obj_get_info_by_fd(fd.get(), &info, &len) != 0)
    throw std::runtime_error("map id " + std::to_string(map_id));
  std::vector<uint64_t> values;
  for (uint32_t key = 0; key < info.max_entries; ++key)
    values.push_back(read_array_u64(map_id, key));
  return values;
}

uint32_t member_map(uint32_t prog_id, const std::string &name) {
  auto id = find_map(prog_map_ids(prog_id), name);
  if (!id) throw std::runtime_error("program " + std::to_string(prog_id) + " has no map " + name);
  return *id;
}

// Puts `target` (loaded from the member's own object by the test) into the member's
// jump_table, as a user of a member with tail calls would.
void fill_jump_table(uint32_t member_prog_id, int target_fd) {
  Fd table(bpf_map_get_fd_by_id(member_map(member_prog_id, "jump_table")));
  uint32_t key = 0;
  ASSERT_TRUE(table && bpf_map_update_elem(table.get(), &key, &target_fd, BPF_ANY) == 0)
      << "fill jump_table: " << errno;
}

Observed run_packets(int prog_fd, uint32_t member_prog_id, const MemberCase &c) {
  Observed seen;
  for (const Packet &packet : c.packets) {
    TestRunResult result = test_run(prog_fd, packet);
    seen.verdicts.push_back(result.verdict);
    seen.packets_out.push_back(result.packet);
  }
  for (const std::string &name : c.maps)
    seen.maps[name] = array_values(member_map(member_prog_id, name));
  return seen;
}

class MemberBehaviour : public ::testing::TestWithParam<std::tuple<MemberCase, std::string>> {
protected:
  const MemberCase &member() const { return std::get<0>(GetParam()); }
  const std::string &backend() const { return std::get<1>(GetParam()); }

  // The object file to load alone: the .o itself, or the .lisp compiled by `xdpchain compile`.
  std::string object_path() {
    if (member().source.ends_with(".o")) return member().source;
    std::string out = ::testing::TempDir() + "/member_" + member().name + ".o";
    CommandResult compiled = cli_.run({"compile", member().source, "-o", out});
    if (compiled.exit_code != 0) throw std::runtime_error("compile: " + compiled.err);
    return out;
  }

  NetnsPair net_;
  XdpchainCli cli_{net_.dut().netns};
};

TEST_P(MemberBehaviour, SameVerdictsBytesAndMapsAloneAndInTheChain) {
  const MemberCase &c = member();
  const std::string path = object_path();

  // Alone.
  LoadedObject alone(path);
  std::vector<std::string> names = alone.program_names();
  const std::string program = c.program.empty() ? names.at(0) : c.program;
  if (c.program.empty()) {
    ASSERT_EQ(names.size(), 1u) << path;
  }
  const int alone_fd = alone.program_fd(program);
  const uint32_t alone_id = prog_id_of(alone_fd);
  if (!c.tail_target.empty()) fill_jump_table(alone_id, alone.program_fd(c.tail_target));
  const Observed by_itself = run_packets(alone_fd, alone_id, c);
  for (int verdict : c.verdicts_alone)
    EXPECT_NE(std::count(by_itself.verdicts.begin(), by_itself.verdicts.end(), verdict), 0)
        << "alone, " << c.name << " never returned " << verdict_name(verdict);
  bool changed = false;
  for (size_t i = 0; i < c.packets.size(); ++i)
    changed |= by_itself.packets_out[i] != c.packets[i];
  EXPECT_EQ(changed, c.rewrites) << "whether the member rewrites packets";
  for (const auto &[name, values] : by_itself.maps)
    EXPECT_TRUE(std::any_of(values.begin(), values.end(), [](uint64_t v) { return v != 0; }))
        << "alone, the member wrote nothing to " << name;

  // In the middle of a chain.
  const std::string iface = net_.dut().ifname;
  CommandResult first = cli_.run({"add", iface, prog_path("xdp_pass"), "--name", "before",
                                  "--priority", "10", "--backend", backend(), "--mode", "generic"});
  ASSERT_EQ(first.exit_code, 0) << first;
  std::vector<std::string> add = {"add", iface, c.source, "--name", "member", "--priority", "20"};
  if (!c.program.empty()) {
    add.insert(add.end(), {"--program", c.program});
  }
  CommandResult added = cli_.run(add);
  ASSERT_EQ(added.exit_code, 0) << added;
  CommandResult last =
      cli_.run({"add", iface, prog_path("xdp_count"), "--name", "after", "--priority", "30"});
  ASSERT_EQ(last.exit_code, 0) << last;

  nlohmann::json st = cli_.status(iface);
  ASSERT_EQ(st["backend"], backend());
  ASSERT_EQ(st["programs"].size(), 3u);
  const uint32_t member_id = st["programs"][1]["prog_id"].get<uint32_t>();
  LoadedObject targets(path); // the tail-call target, loaded the way a user would
  if (!c.tail_target.empty()) fill_jump_table(member_id, targets.program_fd(c.tail_target));
  Fd chain = prog_fd_by_id(st["dispatcher_prog_id"].get<uint32_t>());
  const Observed in_chain = run_packets(chain.get(), member_id, c);

  EXPECT_EQ(in_chain.verdicts, by_itself.verdicts);
  for (size_t i = 0; i < c.packets.size(); ++i)
    EXPECT_EQ(in_chain.packets_out[i], by_itself.packets_out[i]) << "bytes out of packet " << i;
  EXPECT_EQ(in_chain.maps, by_itself.maps) << "the member's own maps";

  st = cli_.status(iface);
  const size_t passed = std::count(by_itself.verdicts.begin(), by_itself.verdicts.end(), XDP_PASS);
  EXPECT_EQ(st["programs"][1]["counters"]["entered"], c.packets.size());
  // The member's own tail call: on fused it is taken from the generated program's main
  // function and leaves the chain; on the tail-call backend the member runs as a
  // subprogram, the kernel replaces only that frame, and the target's verdict returns to the
  // entry program as the member's, which goes on with the chain like any verdict.
  const bool leaves_chain = !c.tail_target.empty() && backend() == "fused";
  EXPECT_EQ(st["programs"][2]["counters"]["entered"], leaves_chain ? 0 : passed)
      << "the next member runs after each pass"
      << (leaves_chain ? ", and never after the member's own tail call on fused" : "");
}

std::vector<std::tuple<MemberCase, std::string>> all_runs() {
  std::vector<std::tuple<MemberCase, std::string>> runs;
  for (const MemberCase &c : member_cases())
    for (const std::string &backend : c.backends)
      runs.emplace_back(c, backend);
  return runs;
}

INSTANTIATE_TEST_SUITE_P(Members, MemberBehaviour, ::testing::ValuesIn(all_runs()),
                         [](const auto &info) {
                           return std::get<0>(info.param).name + "_" + std::get<1>(info.param);
                         });

// A member the fused backend cannot inline is refused naming the member, the reason and the
// backend that takes it (exit 3); the running chain stays exactly as it was. A callback
// needs BTF func_info for the callback's code, which the fused program does not carry.
TEST(FusedMemberRefusal, CallbackMemberIsRefusedAndTheChainKept) {
  NetnsPair net;
  XdpchainCli cli(net.dut().netns);
  const std::string iface = net.dut().ifname;
  CommandResult first = cli.run({"add", iface, prog_path("xdp_count"), "--name", "count",
                                 "--backend", "fused", "--mode", "generic"});
  ASSERT_EQ(first.exit_code, 0) << first;
  const nlohmann::json before = cli.status(iface);
  const nlohmann::json attached = net.dut_xdp();

  CommandResult refused =
      cli.run({"add", iface, prog_path("member_loop_callback"), "--name", "looper"});
  EXPECT_EQ(refused.exit_code, 3) << refused;
  EXPECT_NE(refused.err.find("program 'looper'"), std::string::npos) << refused;
  EXPECT_NE(refused.err.find("callback"), std::string::npos) << refused;
  EXPECT_NE(refused.err.find("--backend tailcall"), std::string::npos) << refused;
  EXPECT_NE(refused.err.find("--backend freplace"), std::string::npos) << refused;

  const nlohmann::json after = cli.status(iface);
  EXPECT_EQ(after["dispatcher_prog_id"], before["dispatcher_prog_id"]);
  EXPECT_EQ(after["generation"], before["generation"]);
  ASSERT_EQ(after["programs"].size(), 1u);
  EXPECT_EQ(after["programs"][0]["label"], "count");
  EXPECT_EQ(net.dut_xdp()["prog"]["id"], attached["prog"]["id"]);
  EXPECT_EQ(net.send_udp(9999, 3), 3) << "the kept chain still passes traffic";
  EXPECT_EQ(cli.status(iface)["programs"][0]["counters"]["entered"], 3);
}

} // namespace
} // namespace xdpchain::test
