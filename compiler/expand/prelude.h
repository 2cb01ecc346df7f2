// The built-in macros that are plain templates (packet parsing, header accessors,
// with-ringbuf), written in the language itself and read once.
#pragma once

#include "compiler/reader/datum.h"

#include <vector>

namespace xdpchain::compiler {

// The prelude's `defmacro` forms, read from its embedded text.
const std::vector<DatumPtr> &prelude_forms();

} // namespace xdpchain::compiler
