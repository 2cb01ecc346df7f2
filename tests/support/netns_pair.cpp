#include "tests/support/netns_pair.h"

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <net/if.h>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <optional>
#include <poll.h>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

namespace xdpchain::test {

namespace {

using std::chrono::milliseconds;

// Writes a sysctl of the calling thread's network namespace; missing entries (no IPv6
// in this kernel) are fine.
void write_sysctl(const std::string &path, const std::string &value) {
  std::ofstream file(path);
  if (file) file << value;
}

sockaddr_in ipv4_address(const std::string &ip, uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  if (inet_pton(AF_INET, ip.c_str(), &addr.sin_addr) != 1)
    throw std::runtime_error("bad IPv4 address " + ip);
  return addr;
}

} // namespace

NetnsPair::NetnsPair() {
  try {
    create();
  } catch (...) {
    destroy();
    throw;
  }
}

NetnsPair::~NetnsPair() {
  destroy();
}

void NetnsPair::create() {
  const std::string base = unique_name("xdpchain-test-");
  const std::string id = unique_name("xt"); // interface names: at most 15 characters
  const unsigned pid = static_cast<unsigned>(getpid());
  const std::string subnet =
      "10." + std::to_string(20 + pid % 200) + "." + std::to_string(1 + (pid / 200) % 250) + ".";
  char dut_mac[18], peer_mac[18];
  std::snprintf(dut_mac, sizeof dut_mac, "02:78:%02x:%02x:%02x:01", (pid >> 16) & 0xff,
                (pid >> 8) & 0xff, pid & 0xff);
  std::snprintf(peer_mac, sizeof peer_mac, "02:78:%02x:%02x:%02x:02", (pid >> 16) & 0xff,
                (pid >> 8) & 0xff, pid & 0xff);
  dut_ = {base + "-dut", id + "d", subnet + "1", dut_mac, 0};
  peer_ = {base + "-peer", id + "p", subnet + "2", peer_mac, 0};
  if (dut_.ifname.size() > 15) throw std::runtime_error("interface name too long: " + dut_.ifname);

  run_checked({"ip", "netns", "add", dut_.netns});
  dut_created_ = true;
  run_checked({"ip", "netns", "add", peer_.netns});
  peer_created_ = true;
  for (const auto *end : {&dut_, &peer_}) {
    NetnsScope scope(end->netns);
    write_sysctl("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1");
    write_sysctl("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
  }
  create_link();
}

void NetnsPair::create_link() {
  run_checked({"ip", "-n", dut_.netns, "link", "add", dut_.ifname, "address", dut_.mac, "type",
               "veth", "peer", "name", peer_.ifname, "address", peer_.mac, "netns", peer_.netns});
  for (const auto *end : {&dut_, &peer_}) {
    const NetnsEndpoint &other = end == &dut_ ? peer_ : dut_;
    run_checked({"ip", "-n", end->netns, "addr", "add", end->ipv4 + "/24", "dev", end->ifname});
    run_checked({"ip", "-n", end->netns, "neigh", "replace", other.ipv4, "lladdr", other.mac, "dev",
                 end->ifname, "nud", "permanent"});
    run_checked({"ip", "-n", end->netns, "link", "set", "lo", "up"});
    run_checked({"ip", "-n", end->netns, "link", "set", end->ifname, "up"});
  }
  for (auto *end : {&dut_, &peer_}) {
    NetnsScope scope(end->netns);
    end->ifindex = static_cast<int>(if_nametoindex(end->ifname.c_str()));
    if (end->ifindex == 0)
      throw std::runtime_error("no interface " + end->ifname + " in netns " + end->netns);
  }
}

void NetnsPair::recreate_link() {
  run_checked({"ip", "-n", dut_.netns, "link", "del", dut_.ifname});
  create_link();
}

void NetnsPair::destroy() noexcept {
  try {
    if (peer_created_) run_command({"ip", "netns", "del", peer_.netns});
    if (dut_created_) run_command({"ip", "netns", "del", dut_.netns});
  } catch (...) {
  }
  peer_created_ = dut_created_ = false;
}

CommandResult NetnsPair::exec_dut(const std::vector<std::string> &argv,
                                  milliseconds timeout) const {
  return run_command(argv, {.netns = dut_.netns, .timeout = timeout});
}

CommandResult NetnsPair::exec_peer(const std::vector<std::string> &argv,
                                   milliseconds timeout) const {
  return run_command(argv, {.netns = peer_.netns, .timeout = timeout});
}

int NetnsPair::ping(int count, milliseconds timeout) const {
  const long wait_s = std::max<long>(1, (timeout.count() + 999) / 1000);
  CommandResult r = exec_peer({"ping", "-n", "-q", "-c", std::to_string(count), "-i", "0.05", "-W",
                               std::to_string(wait_s), dut_.ipv4},
                              std::chrono::seconds(wait_s + 5 + count / 10));
  // iputils: "4 packets transmitted, 4 received, 0% packet loss, time 152ms"
  static const std::regex summary(R"((\d+) packets transmitted, (\d+) (packets )?received)");
  std::smatch m;
  if (r.timed_out || !std::regex_search(r.out, m, summary)) {
    std::ostringstream os;
    os << "ping failed: " << r;
    throw std::runtime_error(os.str());
  }
  return std::stoi(m[2]);
}

int NetnsPair::send_udp(uint16_t port, int count, milliseconds timeout) const {
  UdpFlow flow(*this, port);
  flow.send(count);
  return flow.wait_for(count, timeout);
}

nlohmann::json NetnsPair::dut_xdp() const {
  CommandResult r = run_checked(
      {"ip", "-n", dut_.netns, "-details", "-json", "link", "show", "dev", dut_.ifname});
  auto links = nlohmann::json::parse(r.out);
  if (!links.is_array() || links.empty()) throw std::runtime_error("ip link: " + r.out);
  const auto &link = links.front();
  return link.contains("xdp") ? link["xdp"] : nlohmann::json();
}

UdpFlow::UdpFlow(const NetnsPair &pair, uint16_t port) : to_ip_(pair.dut().ipv4), port_(port) {
  try {
    {
      NetnsScope scope(pair.dut().netns);
      rx_fd_ = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
      if (rx_fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
      int one = 1;
      setsockopt(rx_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      sockaddr_in addr = ipv4_address(to_ip_, port);
      if (bind(rx_fd_, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0)
        throw std::runtime_error("bind " + to_ip_ + ":" + std::to_string(port) + ": " +
                                 std::strerror(errno));
    }
    {
      NetnsScope scope(pair.peer().netns);
      tx_fd_ = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
      if (tx_fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    }
  } catch (...) {
    if (rx_fd_ >= 0) close(rx_fd_);
    if (tx_fd_ >= 0) close(tx_fd_);
    throw;
  }
}

UdpFlow::~UdpFlow() {
  close(rx_fd_);
  close(tx_fd_);
}

void UdpFlow::send(int count) {
  const sockaddr_in to = ipv4_address(to_ip_, port_);
  char payload[64] = "xdpchain test datagram";
  for (int i = 0; i < count; ++i) {
    if (sendto(tx_fd_, payload, sizeof payload, 0, reinterpret_cast<const sockaddr *>(&to),
               sizeof to) != static_cast<ssize_t>(sizeof payload))
      throw std::runtime_error(std::string("sendto: ") + std::strerror(errno));
    ++sent_;
  }
}

int UdpFlow::drain() {
  char buf[256];
  while (recv(rx_fd_, buf, sizeof buf, 0) >= 0)
    ++received_;
  return received_;
}

int UdpFlow::wait_for(int expected, milliseconds quiet) {
  pollfd pfd{rx_fd_, POLLIN, 0};
  drain();
  while (received_ < expected && poll(&pfd, 1, static_cast<int>(quiet.count())) > 0)
    drain();
  return received_;
}

} // namespace xdpchain::test
