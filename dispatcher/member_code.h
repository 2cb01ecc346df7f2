// A member as the tail-call and fused backends host it: the member loaded on its own (it
// holds the maps and gives `status` a stable id) plus its final instructions, either from
// this load or, for an unchanged member, from the current generation's pinned copies.
#pragma once

#include "common/fd.h"
#include "common/result.h"
#include "dispatcher/generation.h"
#include "dispatcher/member_insns.h"

namespace xdpchain::dispatcher {

struct MemberCode {
  Fd program;   // the member loaded on its own
  Fd insns_map; // its final instructions, for later generations
  LoadedInsns insns;
};

// `backend` names the backend in refusals ("tail-call", "fused").
Result<MemberCode> member_code(PlannedMember &member, const GenerationPlan &plan,
                               const char *backend);

} // namespace xdpchain::dispatcher
