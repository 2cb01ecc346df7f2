// xdpchain::Chain (include/xdpchain/chain.h) on a veth pair in network namespaces: what the
// calls do to real packets and to what the kernel reports, called from outside the
// namespace the way an embedding program does.
#include <xdpchain/chain.h>

#include "tests/support/bpffs.h"
#include "tests/support/netns_pair.h"
#include "tests/support/process.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace xdpchain {
namespace {

constexpr int kDrop = 1;
constexpr int kPass = 2;

MemberSpec member(const std::string &label, const std::string &object) {
  MemberSpec m;
  m.label = label;
  m.object_path = std::string(XDPCHAIN_PROGS_DIR) + "/" + object;
  return m;
}

class ChainTest : public ::testing::Test {
protected:
  ChainTest() { options_.bpffs_root = test::bpffs_mount() + "/" + test::unique_name("xdpc-lib-"); }
  ~ChainTest() override {
    std::error_code ec;
    std::filesystem::remove_all(options_.bpffs_root, ec);
  }

  Chain open() {
    auto chain = Chain::open(pair_.dut().ifname, pair_.dut().netns, options_);
    if (!chain) throw std::runtime_error(chain.error().str());
    return std::move(*chain);
  }
  // The XDP program id the kernel reports on the DUT (0: none).
  uint32_t attached_id() const {
    auto xdp = pair_.dut_xdp();
    return xdp.is_null() ? 0 : xdp["prog"]["id"].get<uint32_t>();
  }
  ChainSpec spec(std::vector<MemberSpec> members) const {
    ChainSpec s;
    s.members = std::move(members);
    return s;
  }

  test::NetnsPair pair_;
  ChainOptions options_;
};

TEST_F(ChainTest, ApplyDropsPingCountsItAndRemoveTakesTheChainOff) {
  ASSERT_EQ(pair_.ping(3), 3);
  Chain chain = open();
  auto before = chain.status();
  ASSERT_TRUE(before) << before.error().str();
  EXPECT_FALSE(before->present);

  auto applied = chain.apply(spec({member("no-ping", "xdp_drop_icmp.o")}));
  ASSERT_TRUE(applied) << applied.error().str();
  EXPECT_TRUE(applied->swapped);
  ASSERT_EQ(applied->deltas.size(), 1u);
  EXPECT_EQ(applied->deltas[0].change, MemberChange::added);
  ASSERT_TRUE(applied->status.present);
  EXPECT_EQ(attached_id(), applied->status.dispatcher_prog_id);

  EXPECT_EQ(pair_.ping(4), 0);
  auto status = chain.status();
  ASSERT_TRUE(status) << status.error().str();
  ASSERT_EQ(status->members.size(), 1u);
  EXPECT_EQ(status->members[0].label, "no-ping");
  EXPECT_GE(status->members[0].counters.verdicts[kDrop], 4u);
  EXPECT_EQ(status->interface, pair_.dut().ifname);

  auto removed = chain.remove();
  ASSERT_TRUE(removed) << removed.error().str();
  EXPECT_TRUE(removed->swapped);
  EXPECT_EQ(attached_id(), 0u);
  EXPECT_EQ(pair_.ping(3), 3);
  auto after = chain.status();
  ASSERT_TRUE(after) << after.error().str();
  EXPECT_FALSE(after->present);
  // No state left behind under the bpffs root.
  EXPECT_TRUE(test::list_pins(options_.bpffs_root).empty());
}

TEST_F(ChainTest, PlanChangesNothingAndApplyKeepsUnchangedMembers) {
  Chain chain = open();
  ASSERT_TRUE(chain.apply(spec({member("no-ping", "xdp_drop_icmp.o")})));
  auto first = chain.status();
  ASSERT_TRUE(first) << first.error().str();
  ASSERT_EQ(first->members.size(), 1u);
  const uint32_t dispatcher = attached_id();

  // Plan: a delta for the member that would replace the dropper; the kernel keeps the old
  // chain and ping stays dropped.
  MemberSpec pass = member("pass", "xdp_pass.o");
  pass.priority = 10;
  pass.proceed_on = 1u << kDrop; // its pass is final: the dropper after it sees nothing
  auto planned = chain.plan(spec({pass}));
  ASSERT_TRUE(planned) << planned.error().str();
  EXPECT_FALSE(planned->swapped);
  EXPECT_EQ(planned->deltas.size(), 2u);
  EXPECT_EQ(attached_id(), dispatcher);
  EXPECT_EQ(pair_.ping(2), 0);

  // edit() adds a passing member in front: ping passes, the dropper keeps its program.
  auto edited = chain.edit([&](const ChainSpec &current, bool present) -> Result<ChainSpec> {
    EXPECT_TRUE(present);
    ChainSpec desired = current;
    desired.members.push_back(pass);
    return desired;
  });
  ASSERT_TRUE(edited) << edited.error().str();
  EXPECT_TRUE(edited->swapped);
  EXPECT_EQ(pair_.ping(3), 3);
  auto second = chain.status();
  ASSERT_TRUE(second) << second.error().str();
  ASSERT_EQ(second->members.size(), 2u);
  EXPECT_EQ(second->members[0].label, "pass");
  EXPECT_EQ(second->members[1].label, "no-ping");
  EXPECT_EQ(second->members[1].prog_id, first->members[0].prog_id);
  EXPECT_GE(second->members[0].counters.verdicts[kPass], 3u);
  EXPECT_EQ(attached_id(), second->dispatcher_prog_id);
  ASSERT_TRUE(chain.remove());
}

TEST_F(ChainTest, ARefusedApplyLeavesTheRunningChain) {
  Chain chain = open();
  ASSERT_TRUE(chain.apply(spec({member("no-ping", "xdp_drop_icmp.o")})));
  const uint32_t dispatcher = attached_id();

  ChainSpec other = spec({member("pass", "xdp_pass.o")});
  other.interface = "lo";
  auto wrong = chain.apply(other);
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().kind(), ErrorKind::invalid_argument);
  EXPECT_NE(wrong.error().str().find("'lo'"), std::string::npos) << wrong.error().str();

  auto missing = chain.apply(spec({member("gone", "no_such_object.o")}));
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().str().find("no_such_object.o"), std::string::npos)
      << missing.error().str();

  EXPECT_EQ(attached_id(), dispatcher);
  EXPECT_EQ(pair_.ping(2), 0);
  ASSERT_TRUE(chain.remove());
}

std::vector<std::byte> file_bytes(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> chars((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (chars.empty()) throw std::runtime_error("cannot read " + path);
  std::vector<std::byte> bytes(chars.size());
  std::memcpy(bytes.data(), chars.data(), chars.size());
  return bytes;
}

TEST_F(ChainTest, AMemberGivenAsObjectBytesRunsAndIsKeptByLaterEdits) {
  Chain chain = open();
  MemberSpec in_memory;
  in_memory.label = "no-ping";
  in_memory.object_bytes = file_bytes(std::string(XDPCHAIN_PROGS_DIR) + "/xdp_drop_icmp.o");
  auto applied = chain.apply(spec({in_memory}));
  ASSERT_TRUE(applied) << applied.error().str();
  EXPECT_EQ(pair_.ping(3), 0);
  auto first = chain.status();
  ASSERT_TRUE(first) << first.error().str();
  ASSERT_EQ(first->members.size(), 1u);
  EXPECT_EQ(first->members[0].program, "xdp_drop_icmp");
  EXPECT_GE(first->members[0].counters.verdicts[kDrop], 3u);

  // The chain read back has no bytes for it; an edit adding a member keeps its program.
  auto edited = chain.edit([](const ChainSpec &current, bool) -> Result<ChainSpec> {
    ChainSpec desired = current;
    desired.members.push_back(member("count", "xdp_count.o"));
    return desired;
  });
  ASSERT_TRUE(edited) << edited.error().str();
  auto second = chain.status();
  ASSERT_TRUE(second) << second.error().str();
  ASSERT_EQ(second->members.size(), 2u);
  bool kept = false;
  for (const auto &m : second->members)
    if (m.label == "no-ping") kept = m.prog_id == first->members[0].prog_id;
  EXPECT_TRUE(kept) << "the in-memory member was reloaded";
  EXPECT_EQ(pair_.ping(2), 0);
  ASSERT_TRUE(chain.remove());
}

TEST_F(ChainTest, ObjectBytesThatAreNotAnObjectAreRefusedAndNothingChanges) {
  Chain chain = open();
  ASSERT_TRUE(chain.apply(spec({member("no-ping", "xdp_drop_icmp.o")})));
  const uint32_t dispatcher = attached_id();

  MemberSpec junk;
  junk.label = "junk";
  for (char c : std::string("this is not an ELF object"))
    junk.object_bytes.push_back(static_cast<std::byte>(c));
  auto refused = chain.apply(spec({member("no-ping", "xdp_drop_icmp.o"), junk}));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind(), ErrorKind::invalid_argument) << refused.error().str();
  EXPECT_NE(refused.error().str().find("junk"), std::string::npos) << refused.error().str();
  EXPECT_NE(refused.error().str().find("(object bytes)"), std::string::npos)
      << refused.error().str();

  MemberSpec both = member("both", "xdp_pass.o");
  both.object_bytes = file_bytes(both.object_path);
  auto ambiguous = chain.apply(spec({both}));
  ASSERT_FALSE(ambiguous);
  EXPECT_EQ(ambiguous.error().kind(), ErrorKind::invalid_argument);

  EXPECT_EQ(attached_id(), dispatcher);
  EXPECT_EQ(pair_.ping(2), 0);
  ASSERT_TRUE(chain.remove());
}

TEST_F(ChainTest, OpenNamesWhatIsMissing) {
  auto no_iface = Chain::open("xdpc-none0", pair_.dut().netns, options_);
  ASSERT_FALSE(no_iface);
  EXPECT_EQ(no_iface.error().kind(), ErrorKind::not_found);
  EXPECT_NE(no_iface.error().str().find("xdpc-none0"), std::string::npos);

  auto no_netns = Chain::open(pair_.dut().ifname, "xdpc-no-such-netns", options_);
  ASSERT_FALSE(no_netns);
  EXPECT_NE(no_netns.error().str().find("xdpc-no-such-netns"), std::string::npos);

  // The DUT's interface is not in this (the test's) namespace.
  auto here = Chain::open(pair_.dut().ifname, "", options_);
  EXPECT_FALSE(here);
}

TEST_F(ChainTest, AMovedFromChainIsEmptyAndTheMovedToOneWorks) {
  Chain chain = open();
  Chain moved = std::move(chain);
  // The moved-from one holds nothing: every call is an error, none touches the interface.
  EXPECT_TRUE(chain.interface().empty()); // NOLINT(bugprone-use-after-move): the point
  auto refused = [](const auto &result) {
    ASSERT_FALSE(result);
    EXPECT_NE(result.error().str().find("moved from"), std::string::npos) << result.error().str();
  };
  refused(chain.status());
  refused(chain.plan(spec({})));
  refused(chain.apply(spec({member("x", "xdp_drop_icmp.o")})));
  refused(chain.remove());
  EXPECT_FALSE(pair_.dut_xdp().contains("prog"));
  ASSERT_TRUE(moved.apply(spec({member("no-ping", "xdp_drop_icmp.o")})));
  EXPECT_EQ(pair_.ping(2), 0);
  EXPECT_EQ(moved.netns(), pair_.dut().netns);
  ASSERT_TRUE(moved.remove());
  EXPECT_EQ(pair_.ping(2), 2);
}

} // namespace
} // namespace xdpchain
