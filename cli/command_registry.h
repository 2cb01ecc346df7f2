// Each verb of the `xdpchain` command lives in its own cmd_<verb>.cpp and registers itself
// here at start-up, so verbs can be added without touching main.cpp.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

namespace xdpchain::cli {

// Options shared by every verb.
struct GlobalOptions {
  std::string bpffs_root = "/sys/fs/bpf/xdpchain";
  bool verbose = false;
  bool json = false;             // -j/--json: every verb prints one JSON document (docs/cli.md)
  std::string netns;             // --netns NAME, already entered when a verb runs
  double lock_wait_seconds = 30; // --wait
  int exit_code = 0;             // set by the verb that ran
};

// Exit codes, documented in `xdpchain --help` and docs/cli.md.
enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,      // the operation failed; the interface keeps its previous chain
  kExitUsage = 2,        // bad command line or input (a file, a program the verifier refuses)
  kExitNotSupported = 3, // the kernel or interface cannot do what was asked
  kExitConflict = 4,     // another tool owns the interface, or the chain changed underneath
  kExitDiffers = 5,      // `diff`: the interface does not match the manifest
};

struct Command {
  std::string name;
  int order; // position in --help
  // Adds the subcommand to `app`; its CLI11 callback runs the verb and stores the exit code
  // in `global.exit_code`. `global` outlives the parse.
  std::function<void(CLI::App &app, GlobalOptions &global)> setup;
  // Needs CAP_BPF and CAP_NET_ADMIN (root); refused up front with exit 3 when they are missing.
  bool needs_root = true;
};

std::vector<Command> &commands();

struct RegisterCommand {
  explicit RegisterCommand(Command command) { commands().push_back(std::move(command)); }
};

} // namespace xdpchain::cli
