// An embedding program: puts one XDP program on an interface through the xdpchain library,
// then prints the chain's status and counters; or takes the chain off again.
//   embed IFACE OBJECT.o [NETNS]
//   embed IFACE --remove [NETNS]
#include <xdpchain/chain.h>

#include <cstdio>
#include <filesystem>
#include <string>

namespace {

void print_status(const xdpchain::ChainStatus &status) {
  if (!status.present) {
    std::printf("interface %s: no chain\n", status.interface.c_str());
    return;
  }
  std::printf("interface %s: %s backend, generation %u, dispatcher prog id %u\n",
              status.interface.c_str(), xdpchain::to_string(status.backend), status.generation,
              status.dispatcher_prog_id);
  for (const auto &m : status.members)
    std::printf("  %-12s prog id %u  entered %llu  pass %llu  drop %llu\n", m.label.c_str(),
                m.prog_id, static_cast<unsigned long long>(m.counters.entered),
                static_cast<unsigned long long>(m.counters.verdicts[2]),
                static_cast<unsigned long long>(m.counters.verdicts[1]));
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 3 || argc > 4) {
    std::fprintf(stderr, "usage: %s IFACE OBJECT.o|--remove [NETNS]\n", argv[0]);
    return 2;
  }
  const std::string interface = argv[1];
  const std::string what = argv[2];
  auto chain = xdpchain::Chain::open(interface, argc == 4 ? argv[3] : "");
  if (!chain) {
    std::fprintf(stderr, "embed: %s\n", chain.error().str().c_str());
    return 1;
  }

  auto report = [&] {
    if (what == "--remove") return chain->remove();
    xdpchain::MemberSpec member;
    member.label = "embedded";
    member.object_path = std::filesystem::absolute(what).string();
    xdpchain::ChainSpec desired; // interface: the chain's
    desired.members.push_back(member);
    return chain->apply(desired);
  }();
  if (!report) {
    std::fprintf(stderr, "embed: %s\n", report.error().str().c_str());
    return 1;
  }
  for (const auto &delta : report->deltas) {
    // What changed for each member: added ("at position N"), changed or reordered (how),
    // removed, unchanged.
    using xdpchain::MemberChange;
    const std::string what = delta.change == MemberChange::removed     ? "removed"
                             : delta.change == MemberChange::unchanged ? "unchanged"
                                                                       : delta.detail;
    std::printf("%s: %s\n", delta.label.c_str(), what.c_str());
  }

  // Read back: the same chain the report describes, with its counters now.
  auto status = chain->status();
  if (!status) {
    std::fprintf(stderr, "embed: %s\n", status.error().str().c_str());
    return 1;
  }
  print_status(*status);
  return 0;
}
