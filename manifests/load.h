// parse, validate and convert in one call, as `apply` and `diff` need them: either every
// interface's chain, or every problem in the file (and then nothing to apply).
#pragma once

#include "manifests/convert.h"
#include "manifests/diagnostic.h"
#include "manifests/validate.h"

#include <string>
#include <vector>

namespace xdpchain::manifests {

struct LoadOptions {
  ValidateOptions validate;
  ConvertOptions convert;
};

struct LoadedManifest {
  std::vector<ChainTarget> targets;    // one per document; empty when there are diagnostics
  std::vector<Diagnostic> diagnostics; // every problem found; empty = ready to apply
  bool ok() const { return diagnostics.empty(); }
};

LoadedManifest load_manifest(const std::string &path, const LoadOptions &options = {});

// The same for a manifest's text already read (bounded, by the caller) from `path`, which
// names it in diagnostics and anchors its relative paths.
LoadedManifest load_manifest_text(const std::string &text, const std::string &path,
                                  const LoadOptions &options = {});

} // namespace xdpchain::manifests
