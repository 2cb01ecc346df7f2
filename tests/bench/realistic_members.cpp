#include "tests/bench/realistic_members.h"

#include "tests/support/packet_builder.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace xdpchain::realistic {

namespace {

ext::ProgramObject load_one(const std::string &dir, const std::string &name) {
  auto object = ext::ProgramObject::open(dir + "/" + name + ".o", {});
  if (!object) throw std::runtime_error("open " + name + ": " + object.error().str());
  if (auto loaded = object->load_as_xdp(false); !loaded)
    throw std::runtime_error("load " + name + ": " + loaded.error().str());
  return std::move(*object);
}

int map_fd(const ext::ProgramObject &object, const char *map) {
  bpf_map *found = bpf_object__find_map_by_name(object.object(), map);
  return found ? bpf_map__fd(found) : -1;
}

void update(int fd, const void *key, const void *value) {
  if (bpf_map_update_elem(fd, key, value, BPF_ANY) != 0)
    throw std::runtime_error(std::string("fill map: ") + std::strerror(errno));
}

void fill_maps(const ext::ProgramObject &object) {
  if (int fd = map_fd(object, "blocked_src"); fd >= 0)
    for (uint32_t host = 0; host < 64; ++host) {
      uint32_t addr = htonl((192u << 24) | (0u << 16) | (2u << 8) | host);
      uint64_t hits = 0;
      update(fd, &addr, &hits);
    }
  if (int fd = map_fd(object, "deny_dst"); fd >= 0) {
    struct {
      uint32_t prefixlen, addr;
    } keys[] = {{24, htonl((198u << 24) | (51u << 16) | (100u << 8))},
                {25, htonl((203u << 24) | (0u << 16) | (113u << 8) | 128u)}};
    for (const auto &key : keys) {
      uint32_t value = 1;
      update(fd, &key, &value);
    }
  }
}

} // namespace

const std::vector<std::string> &member_names() {
  static const std::vector<std::string> names = {
      "real_count",       "real_icmp_filter", "real_port_filter", "real_blocklist",
      "real_vlan_filter", "real_ttl_check",   "real_frag_filter", "real_lpm_deny"};
  return names;
}

Programs load(const std::string &progs_dir) {
  Programs out;
  for (const std::string &name : member_names()) {
    out.members.push_back(load_one(progs_dir, name));
    fill_maps(out.members.back());
  }
  out.handwritten.push_back(load_one(progs_dir, "real_handwritten"));
  fill_maps(out.handwritten.back());
  return out;
}

std::vector<uint8_t> benign_udp() {
  return test::PacketBuilder().ipv4("10.1.0.2", "10.1.0.1", 64).udp(40000, 5353).build();
}

} // namespace xdpchain::realistic
