#include "dispatcher/counters.h"

#include "common/btf_builder.h"
#include "dispatcher/dispatcher_spec.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <vector>

namespace xdpchain::dispatcher {

namespace {

// The value's layout as BTF, so that `bpftool map dump` prints named fields:
// struct xdpc_counters { struct xdpc_member_counters members[kCounterBlocks]; }.
struct CountersBtf {
  Fd fd;
  bpf::TypeId key = 0;
  bpf::TypeId value = 0;
};

Result<CountersBtf> counters_btf() {
  bpf::BtfBuilder btf;
  CountersBtf out;
  out.key = btf.u32();
  bpf::TypeId u64 = btf.int_type("unsigned long long", 8);
  static const char *fields[] = {"entered", "aborted",  "drop",  "pass",
                                 "tx",      "redirect", "other", "unused"};
  std::vector<bpf::BtfMember> members;
  for (uint32_t i = 0; i < kCounterBlockBytes / 8; ++i)
    members.push_back({fields[i], u64, i * 64});
  bpf::TypeId block = btf.struct_type("xdpc_member_counters", kCounterBlockBytes, members);
  out.value = btf.struct_type("xdpc_counters", kCountersValueSize,
                              {{"members", btf.array(block, kCounterBlocks), 0}});
  auto fd = btf.load();
  if (!fd) return std::move(fd).error();
  out.fd = std::move(*fd);
  return out;
}

} // namespace

Result<MapFd> create_counters_map() {
  auto btf = counters_btf(); // a kernel without BTF still gets the map, unnamed
  LIBBPF_OPTS(bpf_map_create_opts, opts);
  if (btf) {
    opts.btf_fd = btf->fd.get();
    opts.btf_key_type_id = btf->key;
    opts.btf_value_type_id = btf->value;
  }
  int fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, "xdpc_counters", sizeof(uint32_t),
                          kCountersValueSize, 1, btf ? &opts : nullptr);
  if (fd < 0) return Error::from_errno("create counters map", errno);
  return MapFd(fd);
}

Counters decode_block(const uint64_t *words, CounterLayout layout) {
  Counters c;
  c.entered = words[0];
  for (int action = 0; action < 5; ++action)
    c.verdicts[action] = words[1 + action];
  c.other = words[6];
  if (layout == CounterLayout::verdict_carries_entry)
    for (int word = 1; word <= 6; ++word)
      c.entered += words[word];
  return c;
}

Result<std::vector<Counters>> read_counters(MapRef counters, CounterLayout layout) {
  int cpus = libbpf_num_possible_cpus();
  if (cpus <= 0) return Error::from_errno("count possible CPUs", -cpus);
  std::vector<uint64_t> values(static_cast<size_t>(cpus) * kCountersValueSize / 8);
  uint32_t key = 0;
  if (bpf_map_lookup_elem(counters.get(), &key, values.data()) != 0)
    return Error::from_errno("read counters map", errno);
  const size_t words_per_cpu = kCountersValueSize / 8;
  std::vector<uint64_t> sums(words_per_cpu, 0);
  for (int cpu = 0; cpu < cpus; ++cpu)
    for (size_t word = 0; word < words_per_cpu; ++word)
      sums[word] += values[cpu * words_per_cpu + word];
  std::vector<Counters> blocks;
  for (uint32_t block = 0; block < kCounterBlocks; ++block)
    blocks.push_back(decode_block(sums.data() + block * (kCounterBlockBytes / 8), layout));
  return blocks;
}

Counters subtract(const Counters &now, const Counters &baseline) {
  Counters out;
  out.entered = now.entered - baseline.entered;
  for (int action = 0; action < 5; ++action)
    out.verdicts[action] = now.verdicts[action] - baseline.verdicts[action];
  out.other = now.other - baseline.other;
  return out;
}

} // namespace xdpchain::dispatcher
