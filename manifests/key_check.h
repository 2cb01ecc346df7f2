// Finds the keys of one mapping that the schema does not have, or that appear twice, and
// suggests the known key a misspelt one was probably meant to be.
#pragma once

#include "manifests/diagnostic.h"
#include "manifests/manifest.h"

#include <string>
#include <string_view>
#include <vector>

namespace xdpchain::manifests {

using KeyList = std::vector<std::string_view>;

struct KeyProblem {
  Check check; // unknown_key or duplicate_key
  Mark mark;
  std::string key; // the key as written
  std::string message;
  std::string hint;
};

std::vector<KeyProblem> check_keys(const Object &object, const KeyList &known);

} // namespace xdpchain::manifests
