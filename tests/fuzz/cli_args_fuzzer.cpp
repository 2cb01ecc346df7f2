// libFuzzer target for the `xdpchain` command line: the input is split at NUL bytes into
// arguments and goes through what main() does before a verb runs: the raw scan (verb, --json,
// --help), the verb check with its closest-name suggestion, and CLI11's parse with every
// registered verb and global option (cli/command_line.h). Parsing stops before any verb's
// callback runs, and --netns enters nothing. Built by tests/fuzz/run.sh.
#include "cli/command_line.h"
#include "common/libbpf_log.h"

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

namespace {
struct ParsedOnly {};
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  using namespace xdpchain::cli;
  if (size > 4096) return 0;
  std::vector<std::string> args = {"xdpchain"};
  std::string current;
  for (size_t i = 0; i < size; ++i) {
    if (data[i] == 0) {
      args.push_back(current);
      current.clear();
    } else {
      current.push_back(static_cast<char>(data[i]));
    }
  }
  args.push_back(current);
  if (args.size() > 64) return 0;
  std::vector<const char *> argv;
  for (const auto &a : args)
    argv.push_back(a.c_str());
  argv.push_back(nullptr);
  const int argc = static_cast<int>(args.size());

  CLI::App app{"xdpchain"};
  GlobalOptions global;
  const ScannedCommandLine scanned = scan_command_line(argc, argv.data());
  global.json = true; // errors as JSON on stdout, which run.sh closes (-close_fd_mask=1)
  (void)scanned.json;
  configure_command_line(app, global, [](const std::string &name) {
    if (name.empty() || name.find('/') != std::string::npos)
      throw CLI::ValidationError("--netns", "not a namespace name while fuzzing");
  });
  // Runs once the whole line is parsed and checked, before any verb's callback: stop there.
  app.parse_complete_callback([] { throw ParsedOnly{}; });
  (void)check_verb(scanned, commands(), global);
  try {
    app.parse(argc, argv.data());
  } catch (const ParsedOnly &) {
  } catch (const CLI::ParseError &e) {
    std::ostringstream out, err;
    (void)app.exit(e, out, err);
  }
  return 0;
}
