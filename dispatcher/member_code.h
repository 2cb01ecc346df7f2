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
  ProgFd program;  // the member loaded on its own
  MapFd insns_map; // its final instructions, for later generations
  LoadedInsns insns;
};

// `backend` names the backend in refusals ("tail-call", "fused").
Result<MemberCode> member_code(PlannedMember &member, const GenerationPlan &plan,
                               const char *backend);

// Pins every program array the member's code uses (its own tail calls) beside its other slot
// pins ("slotN-tail_callsK"). The kernel empties a program array when no file descriptor or
// pin refers to it any more, which would otherwise happen once the member's object is closed
// or the generation that loaded it is removed.
Status pin_member_prog_arrays(const MemberCode &code, const std::string &generation_path,
                              size_t slot);

} // namespace xdpchain::dispatcher
