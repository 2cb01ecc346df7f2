// convert(): validated manifests to one dispatcher::ChainSpec per document (interface).
// Resolves relative paths against the manifest's folder and compiles `source:` files into
// content-addressed objects. Call it only on a file validate() found no problem in.
#pragma once

#include "common/result.h"
#include "dispatcher/chain_spec.h"
#include "manifests/manifest.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace xdpchain::manifests {

// spec.interfaces / spec.interfaceSelector as written; resolved by resolve_targets().
struct InterfaceSelection {
  std::vector<std::string> patterns; // names and fnmatch(3) globs
  bool primary = false;              // the interface holding the default route
  bool given() const { return primary || !patterns.empty(); }
};

// One interface's desired chain.
struct ChainTarget {
  std::string name;   // metadata.name
  std::string netns;  // spec.namespace; "" = the caller's network namespace
  std::string origin; // "file:line:column" of the document, for messages
  bool force = false; // spec.force: another tool's XDP program may be replaced
  // Given: spec.interface is "" until resolve_targets() copies the target per interface.
  InterfaceSelection selection;
  dispatcher::ChainSpec spec;
};

struct ConvertOptions {
  // Compiles a .lisp file to BPF ELF bytes; unset = compile_lisp() (the compiler module).
  std::function<Result<std::vector<uint8_t>>(const std::string &path)> compile;
  // Where compiled objects are stored; empty = default_object_cache().
  std::string object_cache;
  // Read-only use (`diff`): when set, compiled objects not already in object_cache go here
  // instead, and object_cache is not written (find_object).
  std::string staging_dir;
};

// Errors name "file:line:column: key '...'" of the program whose source failed.
Result<std::vector<ChainTarget>> convert(const ManifestFile &file,
                                         const ConvertOptions &options = {});

} // namespace xdpchain::manifests
