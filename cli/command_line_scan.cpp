#include "cli/command_line_scan.h"

#include <algorithm>
#include <string_view>

namespace xdpchain::cli {

namespace {

// Global options that take a value as the next word (main.cpp).
bool takes_value(std::string_view option) {
  return option == "--bpffs" || option == "--netns";
}

// Edits (insert, delete, substitute, swap two neighbours) that turn `a` into `b`.
size_t edit_distance(const std::string &a, const std::string &b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i)
    d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j)
    d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i)
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

} // namespace

ScannedCommandLine scan_command_line(int argc, const char *const *argv) {
  ScannedCommandLine scanned;
  bool after_separator = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (after_separator || arg == "-" || !arg.starts_with("-")) {
      if (scanned.verb.empty()) scanned.verb = arg;
      continue;
    }
    if (arg == "--") {
      after_separator = true;
      continue;
    }
    if (arg == "-j" || arg == "--json") scanned.json = true;
    if (arg == "-h" || arg == "--help") scanned.help = true;
    if (scanned.verb.empty() && takes_value(arg)) ++i; // skip the option's value
  }
  return scanned;
}

std::string closest_name(const std::string &word, const std::vector<std::string> &names) {
  std::string best;
  size_t best_distance = word.size() / 3 + 1;
  for (const auto &name : names) {
    size_t distance = edit_distance(word, name);
    // On a tie, a name as long as the word wins: "stauts" is "status" with two letters
    // swapped rather than "stats" with one letter more.
    bool better = best.empty() ? distance <= best_distance
                               : distance < best_distance ||
                                     (distance == best_distance && name.size() == word.size() &&
                                      best.size() != word.size());
    if (better) {
      best = name;
      best_distance = distance;
    }
  }
  return best;
}

} // namespace xdpchain::cli
