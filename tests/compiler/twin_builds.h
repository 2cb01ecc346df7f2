// A program built twice, from its .lisp by our compiler and from its C twin by clang (at
// build time, into XDPCHAIN_TWIN_DIR), both loaded into this kernel.
#pragma once

#include "compiler_test_support.h"

#include <string>
#include <vector>

namespace xdpchain::compiler::testing {

struct Build {
  std::string label; // "lisp" or "clang"
  LoadedObject obj;
};

// NAME built from DIR/NAME.lisp (DIR under tests/compiler/) and from NAME.c; a build that
// does not compile or load fails the calling test and is left out.
std::vector<Build> both_builds(const std::string &dir, const std::string &name);

} // namespace xdpchain::compiler::testing
