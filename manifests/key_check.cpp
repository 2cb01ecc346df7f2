#include "manifests/key_check.h"

#include <algorithm>
#include <cctype>
#include <string_view>
#include <unordered_map>

namespace xdpchain::manifests {

namespace {

// Edit distance, ignoring case (so "proceedon" is close to "proceedOn").
size_t distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j)
    row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                  std::tolower(static_cast<unsigned char>(b[j - 1]));
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (same ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string suggestion(const std::string &key, const KeyList &known) {
  std::string_view best;
  size_t best_distance = 3; // suggest only close matches
  for (auto candidate : known) {
    size_t d = distance(key, candidate);
    if (d < best_distance) best = candidate, best_distance = d;
  }
  if (!best.empty()) return "did you mean '" + std::string(best) + "'?";
  std::string list;
  for (auto candidate : known)
    list += (list.empty() ? "" : ", ") + std::string(candidate);
  return "known keys here: " + list;
}

} // namespace

std::vector<KeyProblem> check_keys(const Object &object, const KeyList &known) {
  std::vector<KeyProblem> problems;
  // First occurrence of each name: linear in the number of keys (a hostile manifest may have
  // hundreds of thousands).
  std::unordered_map<std::string_view, const Key *> seen;
  for (size_t i = 0; i < object.keys.size(); ++i) {
    const Key &key = object.keys[i];
    auto [it, inserted] = seen.emplace(key.name, &key);
    if (!inserted) {
      const Key *first = it->second;
      problems.push_back({Check::duplicate_key, key.mark, key.name,
                          "duplicate key (first at " + std::to_string(first->mark.line) + ":" +
                              std::to_string(first->mark.column) + ")",
                          ""});
      continue;
    }
    if (std::find(known.begin(), known.end(), key.name) == known.end())
      problems.push_back(
          {Check::unknown_key, key.mark, key.name, "unknown key", suggestion(key.name, known)});
  }
  return problems;
}

} // namespace xdpchain::manifests
