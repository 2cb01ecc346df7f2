// Deleting an interface (here: its whole network namespace) leaves the chain's pins behind;
// `status` points at them and `prune` frees them, sparing every chain that still runs.
#include "tests/chain/chain_fixture.h"
#include "tests/support/bpf_kernel.h"

namespace xdpchain::test {
namespace {

using nlohmann::json;

bool contains(const std::string &text, const std::string &part) {
  return text.find(part) != std::string::npos;
}

TEST_P(BackendTest, PruneFreesOnlyChainsWhoseInterfaceIsGone) {
  const std::vector<std::string> common = {"--backend", backend(), "--mode", "generic"};
  std::vector<std::string> args = {"--name", "icmp"};
  args.insert(args.end(), common.begin(), common.end());
  ASSERT_CMD_OK(add_to(iface(), "xdp_drop_icmp", args));

  // A second chain, on a pair whose namespaces are then deleted, in the same state root.
  auto doomed = std::make_unique<NetnsPair>();
  const std::vector<std::string> in_doomed = {"--netns", doomed->dut().netns};
  std::vector<std::string> add_doomed = in_doomed;
  add_doomed.insert(add_doomed.end(),
                    {"add", doomed->dut().ifname, prog_path("verdict_pass"), "--name", "gone"});
  add_doomed.insert(add_doomed.end(), common.begin(), common.end());
  ASSERT_CMD_OK(cli().run(add_doomed));
  std::vector<std::string> status_doomed = in_doomed;
  status_doomed.insert(status_doomed.end(), {"status", doomed->dut().ifname, "--json"});
  const CommandResult doomed_status = cli().run(status_doomed);
  ASSERT_CMD_OK(doomed_status);
  const json doomed_chain = only_chain(json::parse(doomed_status.out));
  const uint32_t doomed_member = member(doomed_chain, "gone").value("prog_id", 0u);
  const uint32_t doomed_dispatcher = doomed_chain.value("dispatcher_prog_id", 0u);
  ASSERT_NE(doomed_member, 0u);
  ASSERT_NE(doomed_dispatcher, 0u);

  doomed.reset(); // deletes both namespaces, and with them the veth pair
  // The kernel tears a namespace down in a work item: wait until our link is defunct.
  CommandResult listed;
  wait_until([&] {
    listed = cli().run({"prune", "--dry-run"});
    return listed.exit_code != 0 || contains(listed.out, "would remove");
  });
  ASSERT_CMD_OK(listed);
  EXPECT_TRUE(contains(listed.out, "its interface is gone")) << listed;
  EXPECT_TRUE(prog_exists(doomed_member)) << "--dry-run removed pins";

  const CommandResult overview = cli().run({"status"});
  ASSERT_CMD_OK(overview);
  EXPECT_TRUE(contains(overview.out, "xdpchain prune"))
      << "status does not point at it: " << overview;

  const CommandResult pruned = cli().run({"prune"});
  ASSERT_CMD_OK(pruned);
  EXPECT_TRUE(contains(pruned.out, "removed ")) << pruned;
  EXPECT_TRUE(prog_gone(doomed_member)) << "the vanished chain's member is still in memory";
  EXPECT_TRUE(prog_gone(doomed_dispatcher)) << "the vanished chain's dispatcher is still there";

  // The chain whose interface is alive is untouched and still drops ping.
  EXPECT_EQ(labels(status()), std::vector<std::string>{"icmp"});
  EXPECT_EQ(net().ping(2), 0) << "prune broke a running chain";
  const CommandResult again = cli().run({"prune"});
  ASSERT_CMD_OK(again);
  EXPECT_TRUE(contains(again.out, "nothing to prune")) << again;
}

} // namespace
} // namespace xdpchain::test
