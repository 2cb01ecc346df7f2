// xdpchain: run many XDP programs on one interface. Parses the command line and dispatches
// to the verb registered under that name; every verb lives in cmd_<verb>.cpp. Conventions
// (docs/cli.md): global options before or after the verb, --json/-j on every verb, errors
// included, `help` and `version` verbs, a mistyped verb answered with the closest one.
#include "cli/command_line.h"
#include "cli/option_suggestion.h"
#include "cli/report.h"
#include "common/libbpf_log.h"
#include "common/netns.h"

#include <cstdlib>
#include <optional>

using namespace xdpchain::cli;

int main(int argc, char **argv) {
  xdpchain::init_library_logging(false);
  CLI::App app{"xdpchain: many XDP programs on one interface, as one atomic chain"};
  GlobalOptions global;
  const ScannedCommandLine scanned = scan_command_line(argc, argv);
  global.json = scanned.json;
  if (const char *bpffs = std::getenv("XDPCHAIN_BPFFS")) // set by tests/vm/run-in-vm.sh
    global.bpffs_root = std::string(bpffs) + "/xdpchain";
  static std::optional<xdpchain::NetnsScope> netns;
  configure_command_line(app, global, [](const std::string &name) {
    auto scope = xdpchain::NetnsScope::enter(name);
    if (!scope) throw CLI::ValidationError("--netns", scope.error().str());
    netns.emplace(std::move(*scope));
  });

  if (int refused = check_verb(scanned, commands(), global); refused >= 0) return refused;
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    if (e.get_exit_code() == 0) { // --help, --version
      app.exit(e);
      return kExitOk;
    }
    // In the voice of every other error: "xdpchain: add: object is required; ...".
    std::string message = (scanned.verb.empty() ? "" : scanned.verb + ": ") + e.what();
    std::string suggestion = suggest_option(app, scanned.verb, argc, argv);
    message +=
        "; " + (!suggestion.empty()    ? suggestion
                : scanned.verb.empty() ? std::string("`xdpchain help` lists the verbs and options")
                                       : "`xdpchain help " + scanned.verb + "` lists its options");
    return report_message(message, kExitUsage, global);
  }
  return global.exit_code;
}
