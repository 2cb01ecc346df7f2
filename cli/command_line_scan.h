// A look at the raw command line before CLI11 parses it: which verb was asked for, whether
// --json/-j or --help were given. Used to answer a mistyped verb with the closest one, to
// print parse errors as JSON, and to refuse a verb up front when privileges are missing.
#pragma once

#include <string>
#include <vector>

namespace xdpchain::cli {

struct ScannedCommandLine {
  std::string verb; // the first word that is not a global option or its value; "" if none
  bool json = false;
  bool help = false;
};

ScannedCommandLine scan_command_line(int argc, const char *const *argv);

// The name in `names` closest to `word` by edit distance, or "" when none is close enough
// to be a typo (more than a third of the word differs).
std::string closest_name(const std::string &word, const std::vector<std::string> &names);

} // namespace xdpchain::cli
