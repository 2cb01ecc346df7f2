// xdpchain: run many XDP programs on one interface. Parses the command line and dispatches
// to the verb registered under that name; every verb lives in cmd_<verb>.cpp.
#include "cli/command_registry.h"
#include "manifests/netns.h"

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <optional>

using namespace xdpchain::cli;

namespace {

const char *kFooter = R"(exit codes:
  0  success
  1  the operation failed; the interface keeps its previous chain
  2  bad command line or input (a file, interface, label or program that does not exist)
  3  not supported by this kernel or interface
  4  conflict: another tool owns the interface, the chain changed underneath, another
     command held the interface's lock longer than --wait, or the state directory is
     not trustworthy
  5  diff: the interface does not match the manifest

examples:
  xdpchain features veth0
  xdpchain add veth0 drop_icmp.o --priority 20 --proceed-on pass
  xdpchain add veth0 filter.lisp --mode generic
  xdpchain status veth0 --json
  xdpchain remove veth0 drop_icmp
  xdpchain apply -f manifests/examples/edge.yaml
)";

} // namespace

int main(int argc, char **argv) {
  CLI::App app{"xdpchain: many XDP programs on one interface, as one atomic chain"};
  app.footer(kFooter);
  app.require_subcommand(1);
  GlobalOptions global;
  if (const char *bpffs = std::getenv("XDPCHAIN_BPFFS")) // set by tests/vm/run-in-vm.sh
    global.bpffs_root = std::string(bpffs) + "/xdpchain";
  app.add_option("--bpffs", global.bpffs_root, "root of xdpchain's bpffs state")
      ->capture_default_str();
  app.add_option("--wait", global.lock_wait_seconds,
                 "seconds to wait for another xdpchain command on the same interface")
      ->check(CLI::Range(0.0, 86400.0))
      ->capture_default_str();
  app.add_flag("-v,--verbose", global.verbose, "show full verifier logs and library messages");
  // Entered before the verb runs; unlike `ip netns exec`, this keeps /sys/fs/bpf visible.
  static std::optional<xdpchain::manifests::NetnsScope> netns;
  app.add_option_function<std::string>(
      "--netns",
      [](const std::string &name) {
        auto scope = xdpchain::manifests::NetnsScope::enter(name);
        if (!scope) throw CLI::ValidationError("--netns", scope.error().str());
        netns.emplace(std::move(*scope));
      },
      "run in this network namespace (a name from `ip netns list`, or a path)");

  auto &registry = commands();
  std::sort(registry.begin(), registry.end(),
            [](const Command &a, const Command &b) { return a.order < b.order; });
  for (const auto &command : registry)
    command.setup(app, global);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  return global.exit_code;
}
