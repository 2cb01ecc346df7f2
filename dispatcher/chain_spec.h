// The plain-data chain spec is public (include/xdpchain/spec.h); the dispatcher module
// uses the same types under its own namespace.
#pragma once

#include <xdpchain/spec.h>

namespace xdpchain::dispatcher {

using xdpchain::action_from_string;
using xdpchain::ActionMask;
using xdpchain::actions_to_string;
using xdpchain::Backend;
using xdpchain::ChainMember;
using xdpchain::ChainSpec;
using xdpchain::kDefaultPriority;
using xdpchain::kDefaultProceedOn;
using xdpchain::kMaxMembersFreplace;
using xdpchain::kMaxMembersFused;
using xdpchain::kMaxMembersTailcall;
using xdpchain::kMaxPriority;
using xdpchain::kMinPriority;
using xdpchain::MapPin;
using xdpchain::MemberSpec;
using xdpchain::Mode;
using xdpchain::spec_of;
using xdpchain::to_string;
using xdpchain::valid_label;

} // namespace xdpchain::dispatcher
