#include "cli/option_suggestion.h"

#include "cli/command_line_scan.h"

#include <algorithm>
#include <vector>

namespace xdpchain::cli {

namespace {

void add_long_names(const CLI::App &app, std::vector<std::string> &names) {
  for (const CLI::Option *option : app.get_options())
    for (const auto &name : option->get_lnames())
      names.push_back(name);
}

} // namespace

std::string suggest_option(CLI::App &app, const std::string &verb, int argc,
                           const char *const *argv) {
  std::vector<std::string> known;
  add_long_names(app, known);
  CLI::App *sub = nullptr;
  try {
    if (!verb.empty()) sub = app.get_subcommand(verb);
  } catch (const CLI::OptionNotFound &) {
  }
  if (sub) add_long_names(*sub, known);
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--") break;
    if (arg.size() < 3 || arg.compare(0, 2, "--") != 0) continue;
    std::string name = arg.substr(2, arg.find('=') - 2);
    if (std::find(known.begin(), known.end(), name) != known.end()) continue;
    std::string closest = closest_name(name, known);
    if (!closest.empty()) return "did you mean '--" + closest + "'?";
  }
  return "";
}

} // namespace xdpchain::cli
