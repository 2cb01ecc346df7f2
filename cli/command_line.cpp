// The `xdpchain` command line: global options, every registered verb, `help` and `version`,
// and the check of the verb before parsing. Shared by main() and the command-line fuzzer
// (tests/fuzz/cli_args_fuzzer.cpp), so both parse exactly the same way.
#include "cli/command_line.h"
#include "cli/describe_cli.h"

#include "cli/json_output.h"
#include "cli/privileges.h"
#include "cli/report.h"
#include "common/libbpf_log.h"

#include <algorithm>
#include <iostream>

#ifndef XDPCHAIN_VERSION
#error "XDPCHAIN_VERSION must be defined by the build"
#endif

namespace xdpchain::cli {

namespace {

const char *kFooter = R"(exit codes:
  0  success
  1  the operation failed; the interface keeps its previous chain
  2  bad command line or input (a file, interface, label or program that does not exist,
     a malformed object, a program the verifier refuses)
  3  not supported by this kernel or interface, or missing privileges (needs root)
  4  conflict: another tool owns the interface, the chain changed underneath, another
     command held the interface's lock longer than --wait, or the state directory is
     not trustworthy
  5  diff: the interface does not match the manifest

Global options may come before or after the verb. `xdpchain help VERB` shows a verb's
options; docs/cli.md describes every verb and the --json schema.

examples:
  xdpchain features veth0
  xdpchain add veth0 drop_icmp.o --priority 20 --proceed-on pass
  xdpchain add veth0 filter.lisp --mode skb
  xdpchain status veth0 --json
  xdpchain remove veth0 drop_icmp
  xdpchain apply -f manifests/examples/edge.yaml
  xdpchain --netns blue export veth0 | xdpchain --netns blue diff -f -
)";

void add_help_and_version(CLI::App &app, GlobalOptions &global) {
  auto *version = app.add_subcommand("version", "print xdpchain's version");
  version->callback([&global] {
    if (global.json) {
      nlohmann::json out = json_document();
      out["version"] = XDPCHAIN_VERSION;
      print_json(out);
    } else {
      std::cout << "xdpchain " << XDPCHAIN_VERSION << "\n";
    }
  });
  auto verb = std::make_shared<std::string>();
  auto *help = app.add_subcommand("help", "show the help of xdpchain or of one verb");
  help->add_option("verb", *verb, "the verb to explain");
  help->callback([&app, &global, verb] {
    std::string text;
    if (verb->empty()) {
      // app.help() would explain the verb that is running (`help` itself).
      text = app.get_formatter()->make_help(&app, app.get_name(), CLI::AppFormatMode::Normal);
    } else {
      CLI::App *sub = nullptr;
      try {
        sub = app.get_subcommand(*verb);
      } catch (const CLI::OptionNotFound &) {
      }
      if (!sub) {
        global.exit_code =
            report_message("help: '" + *verb + "' is not a command", kExitUsage, global);
        return;
      }
      text = sub->help();
    }
    if (global.json) {
      nlohmann::json out = json_document();
      out["help"] = text;
      print_json(out);
    } else {
      std::cout << text;
    }
  });
}

// Hidden (no group): the command line as JSON, for the man pages and bash completion the
// build generates (packaging/gen_cli_docs.py).
void add_describe_cli(CLI::App &app) {
  auto *describe = app.add_subcommand(kDescribeCliVerb, "print the command line as JSON");
  describe->group("");
  describe->callback([&app] { std::cout << describe_cli(app).dump(2) << "\n"; });
}

std::vector<std::string> verb_names(const std::vector<Command> &registry) {
  std::vector<std::string> names = {"help", "version"};
  for (const auto &command : registry)
    names.push_back(command.name);
  return names;
}

} // namespace

int check_verb(const ScannedCommandLine &scanned, const std::vector<Command> &registry,
               const GlobalOptions &global) {
  if (scanned.verb.empty() || scanned.help) return -1;
  auto names = verb_names(registry);
  if (scanned.verb == kDescribeCliVerb) return -1;
  if (std::find(names.begin(), names.end(), scanned.verb) == names.end()) {
    std::string message = "'" + scanned.verb + "' is not a command";
    std::string closest = closest_name(scanned.verb, names);
    message +=
        closest.empty() ? "; `xdpchain help` lists them" : "; did you mean '" + closest + "'?";
    return report_message(message, kExitUsage, global);
  }
  for (const auto &command : registry)
    if (command.name == scanned.verb && command.needs_root && !has_bpf_privileges())
      return report_message(scanned.verb + ": needs root (CAP_BPF, CAP_NET_ADMIN)",
                            kExitNotSupported, global);
  return -1;
}

void configure_command_line(CLI::App &app, GlobalOptions &global,
                            std::function<void(const std::string &)> enter_netns) {
  app.footer(kFooter);
  app.require_subcommand(1);
  app.fallthrough(); // global options are also accepted after the verb
  app.set_version_flag("--version", std::string("xdpchain ") + XDPCHAIN_VERSION);
  app.add_option("--bpffs", global.bpffs_root, "root of xdpchain's bpffs state")
      ->capture_default_str();
  app.add_option("--wait", global.lock_wait_seconds,
                 "seconds to wait for another xdpchain command on the same interface")
      ->check(CLI::Range(0.0, 86400.0))
      ->capture_default_str();
  app.add_flag_function(
      "-v,--verbose",
      [&global](std::int64_t) {
        global.verbose = true;
        xdpchain::init_library_logging(true); // libbpf's and libxdp's messages on stderr
      },
      "show full verifier logs and libbpf's and libxdp's messages");
  app.add_flag("-j,--json", global.json, "print one JSON document, errors included (docs/cli.md)");
  // Entered before the verb runs (main); unlike `ip netns exec`, this keeps /sys/fs/bpf visible.
  app.add_option_function<std::string>(
      "--netns",
      [&global, enter_netns](const std::string &name) {
        enter_netns(name); // throws CLI::ValidationError when it cannot
        global.netns = name;
      },
      "run in this network namespace (a name from `ip netns list`, or a path)");

  auto &registry = commands();
  std::sort(registry.begin(), registry.end(),
            [](const Command &a, const Command &b) { return a.order < b.order; });
  for (const auto &command : registry)
    command.setup(app, global);
  add_help_and_version(app, global);
  add_describe_cli(app);
}

} // namespace xdpchain::cli
