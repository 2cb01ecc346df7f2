// convert(): validated manifests to one dispatcher::ChainSpec per document (interface).
// Resolves relative paths against the manifest's folder and compiles `source:` files into
// content-addressed objects. Call it only on a file validate() found no problem in.
#pragma once

#include "common/result.h"
#include "dispatcher/chain_spec.h"
#include "manifests/manifest.h"

#include <xdpchain/target.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace xdpchain::manifests {

using xdpchain::ChainTarget;
using xdpchain::InterfaceSelection;

struct ConvertOptions {
  // Compiles a .lisp file to BPF ELF bytes; unset = compiler::compile_file.
  std::function<Result<std::vector<uint8_t>>(const std::string &path)> compile;
  // Where compiled objects are stored; empty = compiler::default_object_cache().
  std::string object_cache;
  // Read-only use (`diff`): when set, compiled objects not already in object_cache go here
  // instead, and object_cache is not written (find_object).
  std::string staging_dir;
};

// Errors name "file:line:column: key '...'" of the program whose source failed.
Result<std::vector<ChainTarget>> convert(const ManifestFile &file,
                                         const ConvertOptions &options = {});

} // namespace xdpchain::manifests
