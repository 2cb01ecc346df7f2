// A veth pair between two fresh network namespaces, for tests that send real traffic.
//
//   netns <dut>                       netns <peer>
//   dut().ifname  10.X.Y.1/24  <--->  peer().ifname  10.X.Y.2/24
//
// XDP goes on the DUT ("device under test") side; test traffic flows from the peer to it,
// so every packet the DUT's XDP sees was sent by the test. To keep counts exact, both
// namespaces have IPv6 off (no router/neighbour solicitations) and permanent neighbour
// entries (no ARP). Names are unique per process and pair, so tests may run in parallel.
//
// veth and XDP (checked on 6.1, 6.12 and 6.18): in both native and generic mode the DUT's
// program sees every frame the peer sends. Frames that the DUT's program sends back with
// XDP_TX (or redirects) in native mode are only received by the peer when the peer has an
// XDP program or GRO enabled; otherwise veth drops them.
#pragma once

#include "tests/support/process.h"

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace xdpchain::test {

struct NetnsEndpoint {
  std::string netns;  // name under /run/netns
  std::string ifname; // the veth end in that namespace
  std::string ipv4;   // its address, without the prefix length
  std::string mac;
  int ifindex = 0;
};

class NetnsPair {
public:
  // Creates both namespaces and the pair; throws std::runtime_error (after cleaning up)
  // when any step fails.
  NetnsPair();
  ~NetnsPair(); // deletes both namespaces (and with them the veth pair)
  NetnsPair(const NetnsPair &) = delete;
  NetnsPair &operator=(const NetnsPair &) = delete;

  const NetnsEndpoint &dut() const { return dut_; }
  const NetnsEndpoint &peer() const { return peer_; }

  // Runs a command inside the DUT's or the peer's namespace.
  CommandResult exec_dut(const std::vector<std::string> &argv,
                         std::chrono::milliseconds timeout = std::chrono::seconds(60)) const;
  CommandResult exec_peer(const std::vector<std::string> &argv,
                          std::chrono::milliseconds timeout = std::chrono::seconds(60)) const;

  // Pings the DUT from the peer (`count` echo requests 50 ms apart, waiting up to `timeout`
  // for a reply after the last one) and returns how many replies came back.
  // Throws std::runtime_error when ping itself fails (not when replies are missing).
  int ping(int count, std::chrono::milliseconds timeout = std::chrono::seconds(1)) const;

  // Sends `count` UDP datagrams from the peer to `port` on the DUT and returns how many a
  // socket bound there received (waiting up to `timeout` after the last one).
  int send_udp(uint16_t port, int count,
               std::chrono::milliseconds timeout = std::chrono::milliseconds(500)) const;

  // What `ip -details -json link show` says about the DUT's XDP attachment: the link's
  // "xdp" object (e.g. {"mode":1,"prog":{"id":42,...}}), or null when nothing is attached.
  nlohmann::json dut_xdp() const;

  // Deletes the veth pair and creates it again with the same names, addresses and
  // neighbour entries: as a driver reload or a re-created container veth, the DUT's
  // interface comes back with a new ifindex (updated in dut() and peer()).
  void recreate_link();

private:
  void create();
  void create_link(); // the veth pair, addresses, neighbours; fills in the ifindexes
  void destroy() noexcept;

  NetnsEndpoint dut_;
  NetnsEndpoint peer_;
  bool dut_created_ = false;
  bool peer_created_ = false;
};

// A UDP flow from the peer to `port` on the DUT, with the socket on the DUT bound before
// anything is sent. Keeps count of what was sent and what arrived.
class UdpFlow {
public:
  UdpFlow(const NetnsPair &pair, uint16_t port);
  ~UdpFlow();
  UdpFlow(const UdpFlow &) = delete;
  UdpFlow &operator=(const UdpFlow &) = delete;

  // Sends `count` datagrams; throws std::runtime_error when the kernel refuses one.
  void send(int count = 1);
  // Takes in what has arrived so far, without waiting; returns the total received.
  int drain();
  // Waits until `expected` datagrams in total have arrived, or until nothing more arrives
  // for `quiet`; returns the total received.
  int wait_for(int expected, std::chrono::milliseconds quiet = std::chrono::milliseconds(500));

  int sent() const { return sent_; }
  int received() const { return received_; }

private:
  int rx_fd_ = -1;
  int tx_fd_ = -1;
  std::string to_ip_;
  uint16_t port_;
  int sent_ = 0;
  int received_ = 0;
};

} // namespace xdpchain::test
