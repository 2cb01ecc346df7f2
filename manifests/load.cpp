#include "manifests/load.h"

#include "manifests/parse.h"

namespace xdpchain::manifests {

namespace {

// An error that already names its place ("file:line:column: ..."), as one diagnostic.
Diagnostic from_error(Check check, const Error &error) {
  std::string hint;
  for (const auto &line : error.hints())
    hint += (hint.empty() ? "" : "; ") + line;
  return {check, "", {}, "", error.str(), hint};
}

LoadedManifest load_parsed(Result<ManifestFile> file, const LoadOptions &options) {
  LoadedManifest loaded;
  if (!file) {
    loaded.diagnostics.push_back(from_error(Check::syntax, file.error()));
    return loaded;
  }
  loaded.diagnostics = validate(*file, options.validate);
  if (!loaded.ok()) return loaded;
  auto targets = convert(*file, options.convert);
  if (!targets) {
    loaded.diagnostics.push_back(from_error(Check::convert, targets.error()));
    return loaded;
  }
  loaded.targets = std::move(*targets);
  return loaded;
}

} // namespace

LoadedManifest load_manifest(const std::string &path, const LoadOptions &options) {
  return load_parsed(parse_file(path), options);
}

LoadedManifest load_manifest_text(const std::string &text, const std::string &path,
                                  const LoadOptions &options) {
  return load_parsed(parse_string(text, path), options);
}

} // namespace xdpchain::manifests
