// Helpers for the manifests unit tests: parse YAML text as a file at a fixed path, and
// validate it against a fake system (a few files, interfaces and namespaces).
#pragma once

#include "manifests/diagnostic.h"
#include "manifests/manifest.h"
#include "manifests/validate.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace xdpchain::manifests::testing {

// Manifests parsed from text pretend to live here; relative paths resolve against /m.
inline constexpr const char *kManifestPath = "/m/chain.yaml";

// Files: anything under /m/ whose name does not contain "missing".
// Interfaces: eth0, eth1 and lo in the caller's namespace; veth-b in namespace "blue".
ValidateOptions fake_system();

ManifestFile parse_ok(const std::string &text);
std::vector<Diagnostic> validate_text(const std::string &text);

// The one diagnostic `text` produces; fails the test when there are none or several.
Diagnostic only_diagnostic(const std::string &text);

// A valid three-program manifest, line by line (see the .cpp for the line numbers).
extern const char *const kValidManifest;

// Asserts a diagnostic's class, position, key and that its formatted text is exactly
// "/m/chain.yaml:<line>:<column>: key '<key>': <message>".
void expect_diagnostic(const Diagnostic &d, Check check, int line, int column,
                       const std::string &key, const std::string &message);

} // namespace xdpchain::manifests::testing
