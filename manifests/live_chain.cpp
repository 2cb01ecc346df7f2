// xdpchain::Chain (include/xdpchain/chain.h): one interface's live chain. Each call enters
// the chain's network namespace for its length and runs the dispatcher's read / plan / swap
// code (dispatcher/chain.h), the same the CLI verbs and apply_all() run.
#include <xdpchain/chain.h>

#include "common/netns.h"
#include "dispatcher/chain.h"
#include "dispatcher/state_dir.h"

namespace xdpchain {

struct Chain::State {
  std::string interface;
  std::string netns_name;
  Fd netns; // invalid: the calling thread's namespace
  ChainOptions options;
};

namespace {

// `desired` for this chain's interface: an empty interface is filled in, another refused.
Result<ChainSpec> for_interface(const ChainSpec &desired, const std::string &interface) {
  if (!desired.interface.empty() && desired.interface != interface)
    return Error(ErrorKind::invalid_argument, "the spec names interface '" + desired.interface +
                                                  "', this chain is on '" + interface + "'");
  ChainSpec spec = desired;
  spec.interface = interface;
  return spec;
}

} // namespace

Result<Chain> Chain::open(const std::string &interface, const std::string &netns,
                          const ChainOptions &options) {
  auto state = std::make_unique<State>();
  state->interface = interface;
  state->netns_name = netns;
  state->options = options;
  if (!netns.empty()) {
    auto held = open_netns(netns);
    if (!held) return std::move(held).error();
    state->netns = std::move(*held);
  }
  auto scope = NetnsScope::enter(state->netns, netns);
  if (!scope) return std::move(scope).error();
  auto iface = dispatcher::resolve_interface(interface);
  if (!iface && !netns.empty())
    return std::move(iface).error().wrap("network namespace '" + netns + "'");
  if (!iface) return std::move(iface).error();
  return Chain(std::move(state));
}

Chain::Chain(std::unique_ptr<State> state) : state_(std::move(state)) {}
Chain::Chain(Chain &&) noexcept = default;
Chain &Chain::operator=(Chain &&) noexcept = default;
Chain::~Chain() = default;

namespace {

const std::string kNone;

Error moved_from() {
  return Error(ErrorKind::invalid_argument, "this Chain was moved from: it holds no interface");
}

} // namespace

const std::string &Chain::interface() const {
  return state_ ? state_->interface : kNone;
}

const std::string &Chain::netns() const {
  return state_ ? state_->netns_name : kNone;
}

Result<ChainStatus> Chain::status() const {
  if (!state_) return moved_from();
  auto scope = NetnsScope::enter(state_->netns, state_->netns_name);
  if (!scope) return std::move(scope).error();
  return dispatcher::read_status(state_->interface, state_->options);
}

Result<ApplyReport> Chain::plan(const ChainSpec &desired) const {
  if (!state_) return moved_from();
  auto spec = for_interface(desired, state_->interface);
  if (!spec) return std::move(spec).error();
  auto scope = NetnsScope::enter(state_->netns, state_->netns_name);
  if (!scope) return std::move(scope).error();
  dispatcher::ApplyOptions plan_only;
  plan_only.dry_run = true;
  return dispatcher::apply(*spec, state_->options, plan_only);
}

Result<ApplyReport> Chain::apply(const ChainSpec &desired) {
  if (!state_) return moved_from();
  auto spec = for_interface(desired, state_->interface);
  if (!spec) return std::move(spec).error();
  auto scope = NetnsScope::enter(state_->netns, state_->netns_name);
  if (!scope) return std::move(scope).error();
  return dispatcher::apply(*spec, state_->options);
}

Result<ApplyReport> Chain::edit(const Edit &change) {
  if (!state_) return moved_from();
  auto scope = NetnsScope::enter(state_->netns, state_->netns_name);
  if (!scope) return std::move(scope).error();
  const std::string &interface = state_->interface;
  return dispatcher::change(
      interface,
      [&](const ChainSpec &current, bool present) -> Result<ChainSpec> {
        auto desired = change(current, present);
        if (!desired) return desired;
        return for_interface(*desired, interface);
      },
      state_->options);
}

Result<ApplyReport> Chain::remove() {
  return edit([](const ChainSpec &current, bool) -> Result<ChainSpec> {
    ChainSpec none = current;
    none.members.clear();
    return none;
  });
}

} // namespace xdpchain
