// The Extension lifecycle against a generated dispatcher, on a kernel that allows freplace
// (run in the VM: tests/vm). Verdicts come from BPF_PROG_TEST_RUN on the dispatcher, so each
// step is checked by what the packet path does.
#include "dispatcher/counters.h"
#include "dispatcher/freplace_generator.h"
#include "dispatcher/probe.h"
#include "dispatcher/program_loader.h"
#include "ext/extension.h"
#include "tests/support/bpf_kernel.h"
#include "tests/support/bpffs.h"
#include "tests/support/packet_builder.h"
#include "tests/support/test_vm.h"

#include <bpf/bpf.h>
#include <unistd.h>

#include <gtest/gtest.h>

namespace xdpchain::ext {
namespace {

using dispatcher::ActionMask;

std::string prog(const std::string &name) {
  return std::string(XDPCHAIN_PROGS_DIR) + "/" + name;
}

ProgramObject open_object(const std::string &name, const std::string &program = "") {
  auto object = ProgramObject::open(prog(name), {program, "", {}});
  if (!object) throw std::runtime_error(object.error().str());
  return std::move(*object);
}

class ExtensionTest : public ::testing::Test {
protected:
  void SetUp() override {
    if (const auto freplace = dispatcher::probe_freplace(); !freplace.supported) {
      if (!test::in_test_vm()) GTEST_SKIP() << freplace.reason << " (this test runs in the VM)";
      GTEST_FAIL() << "freplace must work in the test VM: " << freplace.reason;
    }
    counters_ = *dispatcher::create_counters_map();
    build({dispatcher::kDefaultProceedOn, dispatcher::kDefaultProceedOn});
  }
  void build(const std::vector<ActionMask> &masks) {
    dispatcher::DispatcherSpec spec;
    spec.counters_map = counters_;
    for (size_t i = 0; i < masks.size(); ++i)
      spec.slots.push_back({masks[i], uint32_t(i)});
    dispatcher_ = *dispatcher::load_program(*dispatcher::generate_freplace_dispatcher(spec));
  }
  int run() {
    auto packet = test::PacketBuilder().ipv4("10.2.0.1", "10.2.0.2").icmp_echo().build();
    return test::test_run(dispatcher_.get(), packet).verdict;
  }
  MapFd counters_;
  ProgFd dispatcher_;
};

TEST_F(ExtensionTest, AttachReplacesTheStubAndDetachBringsItBack) {
  EXPECT_EQ(run(), XDP_PASS);
  auto ext = Extension::load(open_object("verdict_drop.o"), dispatcher_, "slot0", false);
  ASSERT_TRUE(ext.has_value()) << ext.error().str();
  EXPECT_EQ(run(), XDP_PASS) << "loaded but not attached: the stub still runs";
  auto link = ext->attach();
  ASSERT_TRUE(link.has_value()) << link.error().str();
  EXPECT_EQ(run(), XDP_DROP);
  ASSERT_TRUE(ext->detach(*link).has_value());
  EXPECT_EQ(run(), XDP_PASS) << "detached: the stub is back";
}

TEST_F(ExtensionTest, DroppedLinkDetachesUnlessPinned) {
  auto ext = Extension::load(open_object("verdict_drop.o"), dispatcher_, "slot0", false);
  ASSERT_TRUE(ext.has_value()) << ext.error().str();
  {
    auto link = ext->take_link(*ext->attach());
    ASSERT_TRUE(link.has_value());
    EXPECT_EQ(run(), XDP_DROP);
  }
  EXPECT_EQ(run(), XDP_PASS) << "a taken link detaches when dropped";

  const std::string pin = test::bpffs_mount() + "/xdpchain-ext-test-" + std::to_string(getpid());
  uint32_t link_id = 0;
  {
    auto link = ext->take_link(*ext->attach());
    ASSERT_TRUE(link->pin(pin).has_value());
    link_id = link->id();
  }
  EXPECT_EQ(run(), XDP_DROP) << "a pinned link outlives its owner";
  EXPECT_TRUE(test::link_exists(link_id));
  unlink(pin.c_str());
  // The pin's reference goes when bpffs frees the inode, after an RCU grace period, and the
  // kernel then frees the link's id a moment before it detaches the extension.
  EXPECT_TRUE(test::link_gone(link_id)) << "unpinned and unreferenced: the link is released";
  EXPECT_TRUE(test::wait_until([&] { return run() == XDP_PASS; }))
      << "unpinned and unreferenced: the stub never came back (verdict "
      << test::verdict_name(run()) << ")";
}

TEST_F(ExtensionTest, UnloadDetachesOwnedLinks) {
  uint32_t prog_id = 0;
  {
    auto ext = Extension::load(open_object("verdict_drop.o"), dispatcher_, "slot1", false);
    ASSERT_TRUE(ext.has_value()) << ext.error().str();
    ASSERT_TRUE(ext->attach().has_value());
    prog_id = ext->id();
    EXPECT_EQ(run(), XDP_DROP);
    ext->unload();
    EXPECT_EQ(run(), XDP_PASS);
  }
  EXPECT_TRUE(test::prog_gone(prog_id)) << "the extension program is gone";
}

TEST_F(ExtensionTest, ContinueSetsDecideWhetherTheNextSlotRuns) {
  build({1u << XDP_DROP, dispatcher::kDefaultProceedOn});
  auto first = Extension::load(open_object("verdict_drop.o"), dispatcher_, "slot0", false);
  auto second = Extension::load(open_object("verdict_tx.o"), dispatcher_, "slot1", false);
  ASSERT_TRUE(first && second);
  ASSERT_TRUE(first->attach() && second->attach());
  EXPECT_EQ(run(), XDP_TX) << "drop is in slot0's continue set: slot1 decides";

  build({dispatcher::kDefaultProceedOn, dispatcher::kDefaultProceedOn});
  ASSERT_TRUE(first->attach_to(dispatcher_, "slot0").has_value());
  ASSERT_TRUE(second->attach_to(dispatcher_, "slot1").has_value());
  EXPECT_EQ(run(), XDP_DROP) << "re-attached to a dispatcher where drop is final";
}

TEST_F(ExtensionTest, RefusesToExtendAnExtension) {
  auto ext = Extension::load(open_object("verdict_drop.o"), dispatcher_, "slot0", false);
  ASSERT_TRUE(ext.has_value());
  auto nested = Extension::load(open_object("verdict_pass.o"), ext->fd(), "verdict_drop", false);
  ASSERT_FALSE(nested.has_value());
  EXPECT_NE(nested.error().str().find("itself an extension"), std::string::npos)
      << nested.error().str();
}

TEST_F(ExtensionTest, RefusesStaticOrMissingTargets) {
  auto ext = Extension::load(open_object("verdict_drop.o"), dispatcher_, "slot9", false);
  ASSERT_FALSE(ext.has_value());
  EXPECT_NE(ext.error().str().find("no function 'slot9'"), std::string::npos) << ext.error().str();
}

} // namespace
} // namespace xdpchain::ext
