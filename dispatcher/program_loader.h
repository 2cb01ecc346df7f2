// Loads a generated ProgramImage into the kernel (BTF first when it has any).
#pragma once

#include "common/fd.h"
#include "common/result.h"
#include "dispatcher/dispatcher_spec.h"

namespace xdpchain::dispatcher {

// On refusal the error carries the verifier's log.
Result<ProgFd> load_program(const ProgramImage &image);

} // namespace xdpchain::dispatcher
