// Realistic XDP programs (tests/compiler/bench/*.lisp) compiled, loaded into this kernel
// and run with BPF_PROG_TEST_RUN on crafted packets: verdicts and map contents.
#include "compiler_test_support.h"

#include "compiler/compile.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <linux/if_link.h>
#include <xdp/libxdp.h>

#include <fstream>

using namespace xdpchain::compiler;
using namespace xdpchain::compiler::testing;

namespace {

std::string bench_file(const std::string &name) {
  return std::string(XDPCHAIN_SOURCE_DIR) + "/tests/compiler/bench/" + name;
}

LoadedObject load_file(const std::string &path) {
  auto elf = compile_file(path);
  EXPECT_TRUE(elf.has_value()) << (elf ? "" : elf.error().str());
  auto obj = LoadedObject::load(elf ? *elf : std::vector<uint8_t>{});
  if (!obj) ADD_FAILURE() << obj.error().str(100);
  return std::move(*obj);
}

TEST(CompiledPrograms, PortFilterDropsTheBlockedPortAndCounts) {
  LoadedObject obj = load_file(bench_file("port_filter.lisp"));
  int prog = obj.prog_fd("drop_port");
  ASSERT_GE(prog, 0);
  int counter = obj.map_fd("drop_count");
  EXPECT_EQ(test_run(prog, make_packet({.dst_port = 9999})).retval, XDP_DROP);
  EXPECT_EQ(test_run(prog, make_packet({.dst_port = 9999})).retval, XDP_DROP);
  EXPECT_EQ(test_run(prog, make_packet({.dst_port = 80})).retval, XDP_PASS);
  EXPECT_EQ(test_run(prog, make_packet({.protocol = 17, .dst_port = 9999})).retval, XDP_PASS);
  EXPECT_EQ(test_run(prog, make_packet({.ethertype = 0x86dd})).retval, XDP_PASS);
  std::vector<uint8_t> runt(20, 0);
  EXPECT_EQ(test_run(prog, runt).retval, XDP_PASS);
  EXPECT_EQ(map_u64(counter, 0), 2u);
}

TEST(CompiledPrograms, PortFilterCarriesLibxdpRunConfig) {
  auto elf = compile_file(bench_file("port_filter.lisp"));
  ASSERT_TRUE(elf.has_value());
  std::string path = "/tmp/xdpchain_compiler_runconfig.o";
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char *>(elf->data()), elf->size());
  xdp_program *prog = xdp_program__open_file(path.c_str(), "xdp", nullptr);
  ASSERT_EQ(libxdp_get_error(prog), 0);
  EXPECT_EQ(xdp_program__run_prio(prog), 20u);
  EXPECT_TRUE(xdp_program__chain_call_enabled(prog, XDP_PASS));
  EXPECT_FALSE(xdp_program__chain_call_enabled(prog, XDP_DROP));
  xdp_program__close(prog);
}

TEST(CompiledPrograms, RunConfigWithSeveralProceedOnActions) {
  auto elf = compile_source(
      "(defprog chained (:priority 7 :proceed-on (:pass :drop :tx)) XDP_PASS)", "chained.lisp");
  ASSERT_TRUE(elf.has_value()) << elf.error().str();
  std::string path = "/tmp/xdpchain_compiler_runconfig2.o";
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char *>(elf->data()), elf->size());
  xdp_program *prog = xdp_program__open_file(path.c_str(), "xdp", nullptr);
  ASSERT_EQ(libxdp_get_error(prog), 0);
  EXPECT_EQ(xdp_program__run_prio(prog), 7u);
  EXPECT_TRUE(xdp_program__chain_call_enabled(prog, XDP_PASS));
  EXPECT_TRUE(xdp_program__chain_call_enabled(prog, XDP_DROP));
  EXPECT_TRUE(xdp_program__chain_call_enabled(prog, XDP_TX));
  EXPECT_FALSE(xdp_program__chain_call_enabled(prog, XDP_ABORTED));
  xdp_program__close(prog);
}

TEST(CompiledPrograms, SynFloodCountsPerSourceAndDropsPastThreshold) {
  LoadedObject obj = load_file(bench_file("syn_flood.lisp"));
  int prog = obj.prog_fd("synflood");
  int stats = obj.map_fd("syn_stats");
  int counter = obj.map_fd("syn_counter");
  PacketSpec syn{.tcp_flags = 0x02};
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(test_run(prog, make_packet(syn)).retval, XDP_PASS) << i;
  EXPECT_EQ(test_run(prog, make_packet(syn)).retval, XDP_DROP);
  EXPECT_EQ(test_run(prog, make_packet({.tcp_flags = 0x12})).retval, XDP_PASS); // SYN-ACK
  PacketSpec other = syn;
  other.src_ip = 0x0a000063;
  EXPECT_EQ(test_run(prog, make_packet(other)).retval, XDP_PASS);
  EXPECT_EQ(map_u64(stats, 0), 5u); // SYNs seen
  EXPECT_EQ(map_u64(stats, 1), 1u); // dropped
  EXPECT_EQ(map_u64(stats, 2), 2u); // new sources
  uint32_t src = htonl(0x0a000001);
  uint64_t count = 0;
  ASSERT_EQ(bpf_map_lookup_elem(counter, &src, &count), 0);
  EXPECT_EQ(count, 3u);
}

TEST(CompiledPrograms, RateLimiterDropsPastTheLimit) {
  LoadedObject obj = load_file(bench_file("rate_limiter.lisp"));
  int prog = obj.prog_fd("ratelimit");
  // The limit is 5: five packets pass, the sixth from the same source is dropped.
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(test_run(prog, make_packet({})).retval, XDP_PASS) << i;
  EXPECT_EQ(test_run(prog, make_packet({})).retval, XDP_DROP);
  EXPECT_EQ(test_run(prog, make_packet({.src_ip = 0x0b000001})).retval, XDP_PASS);
  EXPECT_EQ(test_run(prog, make_packet({.ethertype = 0x0806})).retval, XDP_PASS); // not counted
  EXPECT_EQ(map_u64(obj.map_fd("stats"), 0), 7u);
  EXPECT_EQ(map_u64(obj.map_fd("stats"), 1), 1u);
}

TEST(CompiledPrograms, DispatcherTailCallsIntoItsHandlers) {
  LoadedObject obj = load_file(bench_file("dispatcher.lisp"));
  int prog = obj.prog_fd("dispatcher");
  int table = obj.map_fd("jump_table");
  // Empty slots: the tail call falls through.
  EXPECT_EQ(test_run(prog, make_packet({.protocol = 6})).retval, XDP_PASS);
  uint32_t tcp_slot = 0, udp_slot = 1;
  int tcp = obj.prog_fd("handle_tcp"), udp = obj.prog_fd("handle_udp");
  ASSERT_EQ(bpf_map_update_elem(table, &tcp_slot, &tcp, BPF_ANY), 0);
  ASSERT_EQ(bpf_map_update_elem(table, &udp_slot, &udp, BPF_ANY), 0);
  EXPECT_EQ(test_run(prog, make_packet({.protocol = 6})).retval, XDP_DROP);
  EXPECT_EQ(test_run(prog, make_packet({.protocol = 17})).retval, XDP_TX);
  EXPECT_EQ(test_run(prog, make_packet({.protocol = 1})).retval, XDP_PASS);
  // The bounds check and the ethertype test share the final return block: a TCP packet cut
  // short of the 34 bytes checked, or one that is not IPv4, passes without a tail call.
  std::vector<uint8_t> cut = make_packet({.protocol = 6});
  cut.resize(30);
  EXPECT_EQ(test_run(prog, cut).retval, XDP_PASS);
  EXPECT_EQ(test_run(prog, make_packet({.ethertype = 0x86dd, .protocol = 6})).retval, XDP_PASS);
}

struct LoggedEvent {
  uint32_t src_addr, dst_addr;
  uint16_t src_port, dst_port;
  uint32_t len;
};

int collect_event(void *ctx, void *data, size_t size) {
  auto *events = static_cast<std::vector<LoggedEvent> *>(ctx);
  if (size >= sizeof(LoggedEvent)) events->push_back(*static_cast<LoggedEvent *>(data));
  return 0;
}

TEST(CompiledPrograms, RingbufLoggerSubmitsOneEventPerTcpPacket) {
  LoadedObject obj = load_file(bench_file("ringbuf_logger.lisp"));
  int prog = obj.prog_fd("logger");
  std::vector<LoggedEvent> events;
  ring_buffer *rb = ring_buffer__new(obj.map_fd("events"), collect_event, &events, nullptr);
  ASSERT_NE(rb, nullptr);
  auto packet = make_packet({.src_port = 4242, .dst_port = 443});
  EXPECT_EQ(test_run(prog, packet).retval, XDP_PASS);
  EXPECT_EQ(test_run(prog, make_packet({.protocol = 17})).retval, XDP_PASS);
  ring_buffer__consume(rb);
  ring_buffer__free(rb);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].src_addr, htonl(0x0a000001));
  EXPECT_EQ(events[0].dst_addr, htonl(0x0a000002));
  EXPECT_EQ(events[0].src_port, 4242);
  EXPECT_EQ(events[0].dst_port, 443);
  EXPECT_EQ(events[0].len, packet.size());
}

TEST(CompiledPrograms, DnsGuardCountsQueriesInAnLruHash) {
  LoadedObject obj = load_file(bench_file("dns_guard.lisp"));
  int prog = obj.prog_fd("dns_guard");
  PacketSpec dns{.protocol = 17, .dst_port = 53};
  EXPECT_EQ(test_run(prog, make_packet(dns)).retval, XDP_PASS);
  EXPECT_EQ(test_run(prog, make_packet(dns)).retval, XDP_PASS);
  EXPECT_EQ(test_run(prog, make_packet(dns)).retval, XDP_DROP);
  EXPECT_EQ(test_run(prog, make_packet({.protocol = 17, .dst_port = 54})).retval, XDP_PASS);
  uint32_t src = htonl(0x0a000001);
  uint64_t count = 0;
  ASSERT_EQ(bpf_map_lookup_elem(obj.map_fd("dns_queries"), &src, &count), 0);
  EXPECT_EQ(count, 3u);
}

TEST(CompiledPrograms, ProtoStatsCountsAndDropsIcmp) {
  LoadedObject obj = load_file(bench_file("proto_stats.lisp"));
  int prog = obj.prog_fd("proto_stats");
  EXPECT_EQ(test_run(prog, make_packet({.protocol = 6})).retval, XDP_PASS);
  EXPECT_EQ(test_run(prog, make_packet({.protocol = 17})).retval, XDP_PASS);
  EXPECT_EQ(test_run(prog, make_packet({.protocol = 1})).retval, XDP_DROP);
  int counts = obj.map_fd("proto_count");
  EXPECT_EQ(map_u64(counts, 6), 1u);
  EXPECT_EQ(map_u64(counts, 17), 1u);
  EXPECT_EQ(map_u64(counts, 1), 1u);
  EXPECT_EQ(map_u64(counts, 2), 0u);
}

TEST(CompiledPrograms, BlocklistDropsListedSources) {
  LoadedObject obj = load_file(bench_file("blocklist.lisp"));
  int prog = obj.prog_fd("blocklist_filter");
  int list = obj.map_fd("blocklist");
  EXPECT_EQ(test_run(prog, make_packet({})).retval, XDP_PASS);
  uint32_t bad = htonl(0x0a000001);
  uint64_t zero = 0;
  ASSERT_EQ(bpf_map_update_elem(list, &bad, &zero, BPF_ANY), 0);
  EXPECT_EQ(test_run(prog, make_packet({})).retval, XDP_DROP);
  EXPECT_EQ(test_run(prog, make_packet({.src_ip = 0x0a000009})).retval, XDP_PASS);
  uint64_t hits = 0;
  ASSERT_EQ(bpf_map_lookup_elem(list, &bad, &hits), 0);
  EXPECT_EQ(hits, 1u);
}

TEST(CompiledPrograms, RedirectUsesTheDevmap) {
  LoadedObject obj = load_file(bench_file("redirect.lisp"));
  int prog = obj.prog_fd("redirect_vxlan");
  EXPECT_EQ(test_run(prog, make_packet({.protocol = 17, .dst_port = 53})).retval, XDP_PASS);
  // Slot 0 is empty: bpf_redirect_map returns the low bits of flags, XDP_ABORTED.
  EXPECT_EQ(test_run(prog, make_packet({.protocol = 17, .dst_port = 4789})).retval, XDP_ABORTED);
}

} // namespace
