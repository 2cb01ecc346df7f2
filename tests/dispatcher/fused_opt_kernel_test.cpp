// Differential tests of the fused optimiser (docs/backends.md, "The optimiser"): on
// generated packets, the optimised fused program, the unoptimised one and the members run
// alone one after another (each on the previous one's output, stopping at the first verdict
// that is not XDP_PASS) must agree on the verdict, the bytes out, every member map's
// change and the chain's counters. Chains: the eight realistic members (tests/progs/real_*),
// against the hand-written program too, and a chain where a member moves the packet start
// (member_adjust_head) between members the optimiser rewrites and members it must not.
#include "dispatcher/counters.h"
#include "dispatcher/fused_generator.h"
#include "dispatcher/program_loader.h"
#include "tests/bench/realistic_members.h"
#include "tests/support/bpf_kernel.h"
#include "tests/support/packet_builder.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <random>

namespace xdpchain::dispatcher {
namespace {

using test::PacketBuilder;

// Every map of the given objects, summed over CPUs for per-CPU maps: name -> key -> value.
using MapDump = std::map<std::string, std::map<std::vector<uint8_t>, std::vector<uint64_t>>>;

void dump_map(const bpf_map *map, const std::string &name, MapDump &out) {
  const int fd = bpf_map__fd(map);
  const bpf_map_type type = bpf_map__type(map);
  if (type == BPF_MAP_TYPE_PROG_ARRAY) return;
  if (bpf_map__is_internal(map)) return; // .rodata and friends: constants
  const bool percpu = type == BPF_MAP_TYPE_PERCPU_ARRAY || type == BPF_MAP_TYPE_PERCPU_HASH;
  const size_t cpus = percpu ? static_cast<size_t>(libbpf_num_possible_cpus()) : 1;
  const uint32_t key_size = bpf_map__key_size(map);
  const uint32_t value_size = bpf_map__value_size(map);
  const size_t stride = percpu ? (value_size + 7) / 8 * 8 : value_size;
  std::vector<uint8_t> key(key_size), next(key_size), value(stride * cpus);
  void *prev = nullptr;
  while (bpf_map_get_next_key(fd, prev, next.data()) == 0) {
    key = next;
    prev = key.data();
    if (bpf_map_lookup_elem(fd, key.data(), value.data()) != 0) continue;
    std::vector<uint64_t> words((value_size + 7) / 8, 0);
    for (size_t cpu = 0; cpu < cpus; ++cpu)
      for (size_t w = 0; w < words.size(); ++w) {
        uint64_t word = 0;
        std::memcpy(&word, value.data() + cpu * stride + w * 8,
                    std::min<size_t>(8, value_size - w * 8));
        words[w] += word;
      }
    out[name][key] = words;
  }
}

MapDump dump(const std::vector<ext::ProgramObject> &objects) {
  MapDump out;
  for (size_t i = 0; i < objects.size(); ++i) {
    bpf_map *map;
    bpf_object__for_each_map(map, objects[i].object()) {
      dump_map(map, std::to_string(i) + ":" + bpf_map__name(map), out);
    }
  }
  return out;
}

// The chain's reference: each member alone on the previous one's output.
test::TestRunResult alone_in_order(const std::vector<ext::ProgramObject> &members,
                                   const std::vector<uint8_t> &packet) {
  test::TestRunResult result{XDP_PASS, packet};
  for (const auto &member : members) {
    result = test::test_run(member.prog_fd().get(), result.packet);
    if (result.verdict != XDP_PASS) break;
  }
  return result;
}

struct FusedUnderTest {
  MapFd counters;
  ProgFd prog;
  FusedImage image;
};

FusedUnderTest load_fused(const std::vector<ext::ProgramObject> &members, bool optimise) {
  FusedUnderTest out;
  auto counters = create_counters_map();
  EXPECT_TRUE(counters.has_value());
  out.counters = std::move(*counters);
  FusedSpec spec;
  spec.counters_map = out.counters;
  spec.optimise = optimise;
  for (size_t i = 0; i < members.size(); ++i)
    spec.members.push_back({{kDefaultProceedOn, static_cast<uint32_t>(i)},
                            members[i].program_name(),
                            members[i].final_insns()});
  auto image = generate_fused(spec);
  EXPECT_TRUE(image.has_value()) << image.error().str();
  out.image = std::move(*image);
  auto prog = load_program(out.image.image);
  EXPECT_TRUE(prog.has_value()) << prog.error().str();
  if (prog) out.prog = std::move(*prog);
  return out;
}

std::vector<uint64_t> counter_words(MapRef counters, size_t members) {
  const size_t cpus = static_cast<size_t>(libbpf_num_possible_cpus());
  bpf_map_info info{};
  uint32_t len = sizeof(info);
  EXPECT_EQ(bpf_obj_get_info_by_fd(counters.get(), &info, &len), 0);
  std::vector<uint8_t> value(static_cast<size_t>(info.value_size) * cpus);
  uint32_t key = 0;
  EXPECT_EQ(bpf_map_lookup_elem(counters.get(), &key, value.data()), 0);
  std::vector<uint64_t> words(members * kCounterBlockBytes / 8, 0);
  for (size_t cpu = 0; cpu < cpus; ++cpu)
    for (size_t w = 0; w < words.size(); ++w) {
      uint64_t word = 0;
      std::memcpy(&word, value.data() + cpu * info.value_size + w * 8, 8);
      words[w] += word;
    }
  return words;
}

// Packets meant to reach every branch of the members: each of their drop reasons, near
// misses, every truncation of two frames, and random corruptions of the headers.
std::vector<std::vector<uint8_t>> packets() {
  std::vector<std::vector<uint8_t>> out;
  auto add = [&](const PacketBuilder &p) { out.push_back(p.build()); };
  add(PacketBuilder().ipv4("10.1.0.2", "10.1.0.1").udp(40000, 5353));
  add(PacketBuilder().ipv4("10.1.0.2", "10.1.0.1").icmp_echo());
  add(PacketBuilder().ipv4("10.1.0.2", "10.1.0.1").tcp(40000, 23));
  add(PacketBuilder().ipv4("10.1.0.2", "10.1.0.1").tcp(40000, 80));
  add(PacketBuilder().ipv4("10.1.0.2", "10.1.0.1").udp(40000, 445));
  add(PacketBuilder().ipv4("10.1.0.2", "10.1.0.1").udp(40000, 3389));
  add(PacketBuilder().ipv4("192.0.2.5", "10.1.0.1").udp(40000, 5353));    // blocked source
  add(PacketBuilder().ipv4("192.0.2.64", "10.1.0.1").udp(40000, 5353));   // just outside
  add(PacketBuilder().ipv4("10.1.0.2", "198.51.100.7").udp(40000, 5353)); // denied
  add(PacketBuilder().ipv4("10.1.0.2", "203.0.113.200").udp(40000, 5353));
  add(PacketBuilder().ipv4("10.1.0.2", "203.0.113.5").udp(40000, 5353));
  add(PacketBuilder().ipv4("10.1.0.2", "10.1.0.1", 1).udp(40000, 5353));
  add(PacketBuilder().ipv4("10.1.0.2", "10.1.0.1", 2).udp(40000, 5353));
  add(PacketBuilder().ethertype(0x0806));
  add(PacketBuilder().ipv4("10.1.0.2", "10.1.0.1").udp(40000, 5353).payload_size(1400));
  const auto udp = out[0], icmp = out[1];
  auto with = [&](std::vector<uint8_t> p, size_t at, uint8_t value) {
    p[at] = value;
    out.push_back(p);
  };
  with(udp, 20, 0x20);              // more fragments
  with(udp, 21, 0x01);              // fragment offset
  with(udp, 14, 0x46);              // IHL 6
  with(udp, 14, 0x44);              // IHL 4
  for (uint16_t vid : {100, 200}) { // 802.1Q tag in place of the EtherType
    auto tagged = udp;
    tagged[12] = 0x81, tagged[13] = 0x00, tagged[14] = vid >> 8, tagged[15] = vid & 0xff;
    out.push_back(tagged);
    out.push_back(std::vector<uint8_t>(tagged.begin(), tagged.begin() + 16)); // truncated
  }
  for (size_t len = 14; len < udp.size(); ++len) // BPF_PROG_TEST_RUN wants 14+
    out.push_back(std::vector<uint8_t>(udp.begin(), udp.begin() + len));
  for (size_t len = 14; len < icmp.size(); ++len)
    out.push_back(std::vector<uint8_t>(icmp.begin(), icmp.begin() + len));
  std::mt19937 random(20261207);
  for (int i = 0; i < 1500; ++i) {
    auto p = (i % 3 == 0) ? icmp : udp;
    for (int flips = 1 + random() % 3; flips > 0; --flips)
      p[random() % 42] = static_cast<uint8_t>(random());
    p.resize(14 + random() % (p.size() - 13));
    out.push_back(p);
  }
  return out;
}

// Three copies of the same members, each with its own maps filled alike: one runs alone,
// one in the optimised fused program, one in the unoptimised one. Fed the same packets in
// the same order, their maps must stay equal.
struct Copies {
  std::vector<ext::ProgramObject> alone, optimised, plain;
};

void expect_same_behaviour(const Copies &copies, const ext::ProgramObject *handwritten) {
  FusedUnderTest optimised = load_fused(copies.optimised, true);
  FusedUnderTest plain = load_fused(copies.plain, false);
  ASSERT_TRUE(optimised.prog && plain.prog);
  ASSERT_GT(optimised.image.checks_removed, 0u) << "nothing to compare: the optimiser did nothing";
  ASSERT_EQ(plain.image.checks_removed, 0u);
  size_t n = 0;
  for (const auto &packet : packets()) {
    SCOPED_TRACE("packet " + std::to_string(n++) + " of " + std::to_string(packet.size()) +
                 " bytes");
    const auto expected = alone_in_order(copies.alone, packet);
    const auto fast = test::test_run(optimised.prog.get(), packet);
    const auto slow = test::test_run(plain.prog.get(), packet);
    EXPECT_EQ(fast.verdict, expected.verdict);
    EXPECT_EQ(slow.verdict, expected.verdict);
    EXPECT_EQ(fast.packet, expected.packet);
    EXPECT_EQ(slow.packet, expected.packet);
    const MapDump maps = dump(copies.alone);
    EXPECT_EQ(dump(copies.optimised), maps);
    EXPECT_EQ(dump(copies.plain), maps);
    if (handwritten) {
      EXPECT_EQ(test::test_run(handwritten->prog_fd().get(), packet).verdict, expected.verdict);
    }
    if (::testing::Test::HasFailure()) return;
  }
  EXPECT_EQ(counter_words(optimised.counters, copies.alone.size()),
            counter_words(plain.counters, copies.alone.size()));
}

TEST(FusedOptimiser, RealisticChainBehavesAsItsMembersAloneAndAsTheHandWrittenProgram) {
  realistic::Programs alone = realistic::load(XDPCHAIN_PROGS_DIR);
  Copies copies{std::move(alone.members), realistic::load(XDPCHAIN_PROGS_DIR).members,
                realistic::load(XDPCHAIN_PROGS_DIR).members};
  expect_same_behaviour(copies, &alone.handwritten[0]);
}

std::vector<ext::ProgramObject> load_chain(const std::vector<std::string> &names) {
  std::vector<ext::ProgramObject> chain;
  for (const std::string &name : names) {
    auto object = ext::ProgramObject::open(std::string(XDPCHAIN_PROGS_DIR) + "/" + name + ".o", {});
    EXPECT_TRUE(object.has_value()) << object.error().str();
    if (!object) break;
    EXPECT_TRUE(object->load_as_xdp(false).has_value());
    chain.push_back(std::move(*object));
  }
  return chain;
}

TEST(FusedOptimiser, StopsRewritingAtAMemberThatMovesThePacket) {
  const std::vector<std::string> names = {"real_frag_filter", "member_adjust_head", "xdp_count",
                                          "real_ttl_check", "member_subprogs"};
  Copies copies{load_chain(names), load_chain(names), load_chain(names)};
  ASSERT_EQ(copies.plain.size(), names.size());
  FusedUnderTest probe = load_fused(copies.optimised, true);
  EXPECT_EQ(probe.image.checks_removed, 2u); // real_frag_filter's only
  expect_same_behaviour(copies, nullptr);
}

} // namespace
} // namespace xdpchain::dispatcher
