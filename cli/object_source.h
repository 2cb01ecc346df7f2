// Turns the OBJECT argument of `add` into an object file path: a .o is used where it is
// (made absolute); a .lisp source is compiled on the fly into a content-addressed cache.
// Either way the object is read once and checked here (ext::preload_object), before any
// interface lock: a bad object is refused without touching the interface.
#pragma once

#include "common/result.h"

#include <string>

namespace xdpchain::cli {

Result<std::string> materialize_object(const std::string &path);

} // namespace xdpchain::cli
