// An embedding program: puts one XDP program on an interface through the xdpchain library,
// then prints the chain's status and counters.
//   embed IFACE OBJECT.o [NETNS]
#include <xdpchain/apply.h>
#include <xdpchain/status.h>

#include <cstdio>
#include <filesystem>
#include <string>

int main(int argc, char **argv) {
  if (argc < 3 || argc > 4) {
    std::fprintf(stderr, "usage: %s IFACE OBJECT.o [NETNS]\n", argv[0]);
    return 2;
  }
  xdpchain::ChainTarget target;
  target.name = "embed";
  target.origin = "embed";
  target.netns = argc == 4 ? argv[3] : "";
  target.spec.interface = argv[1];
  xdpchain::MemberSpec member;
  member.label = "embedded";
  member.object_path = std::filesystem::absolute(argv[2]).string();
  target.spec.members.push_back(member);

  xdpchain::ApplyAllResult applied = xdpchain::apply_all({target});
  if (!applied.ok()) {
    std::fprintf(stderr, "embed: %s\n", applied.error->str().c_str());
    return 1;
  }
  for (const auto &delta : applied.reports[0].deltas)
    std::printf("%s: %s\n", delta.label.c_str(), delta.detail.c_str());

  auto status = xdpchain::read_chain_status(target.spec.interface, target.netns);
  if (!status) {
    std::fprintf(stderr, "embed: %s\n", status.error().str().c_str());
    return 1;
  }
  std::printf("interface %s: %s backend, generation %u, dispatcher prog id %u\n",
              status->interface.c_str(), xdpchain::to_string(status->backend), status->generation,
              status->dispatcher_prog_id);
  for (const auto &m : status->members)
    std::printf("  %-12s prog id %u  entered %llu  pass %llu  drop %llu\n", m.label.c_str(),
                m.prog_id, static_cast<unsigned long long>(m.counters.entered),
                static_cast<unsigned long long>(m.counters.verdicts[2]),
                static_cast<unsigned long long>(m.counters.verdicts[1]));
  return 0;
}
