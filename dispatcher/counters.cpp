#include "dispatcher/counters.h"

#include "dispatcher/dispatcher_spec.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>

namespace xdpchain::dispatcher {

Result<Fd> create_counters_map() {
  int fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, "xdpc_counters", sizeof(uint32_t),
                          kCountersValueSize, 1, nullptr);
  if (fd < 0) return Error::from_errno("create counters map", errno);
  return Fd(fd);
}

Result<std::vector<Counters>> read_counters(int counters_fd) {
  int cpus = libbpf_num_possible_cpus();
  if (cpus <= 0) return Error::from_errno("count possible CPUs", -cpus);
  std::vector<uint64_t> values(static_cast<size_t>(cpus) * kCountersValueSize / 8);
  uint32_t key = 0;
  if (bpf_map_lookup_elem(counters_fd, &key, values.data()) != 0)
    return Error::from_errno("read counters map", errno);
  std::vector<Counters> blocks(kCounterBlocks);
  const size_t words_per_cpu = kCountersValueSize / 8;
  for (int cpu = 0; cpu < cpus; ++cpu) {
    const uint64_t *base = values.data() + cpu * words_per_cpu;
    for (uint32_t block = 0; block < kCounterBlocks; ++block) {
      const uint64_t *w = base + block * (kCounterBlockBytes / 8);
      Counters &c = blocks[block];
      c.entered += w[0];
      for (int action = 0; action < 5; ++action)
        c.verdicts[action] += w[1 + action];
      c.other += w[6];
    }
  }
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
