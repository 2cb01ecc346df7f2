#include "dispatcher/chain_config.h"

#include <bpf/bpf.h>

#include <cerrno>
#include <cstring>

namespace xdpchain::dispatcher {

namespace {

constexpr char kMagic[8] = {'X', 'D', 'P', 'C', 'H', 'A', 'I', 'N'};

struct RawHeader {
  char magic[8];
  uint32_t version;
  uint32_t slot_count;
  uint32_t backend;
  uint32_t mode;
  uint32_t frags;
  uint32_t generation;
  uint32_t counters_off; // 0 in configs written before counters could be turned off
};

struct RawSlot {
  char label[64];
  char program[64];
  char object_path[256];
  uint64_t object_hash;
  int32_t priority;
  uint32_t proceed_on;
  uint32_t counter_index;
  uint32_t member_prog_id;
  uint32_t sequence;
  uint32_t frags;
  uint64_t baseline[7];
  char pins[512]; // "pin_root\nmap=path\n..."
};
static_assert(sizeof(RawSlot) <= kConfigRecordSize);
static_assert(sizeof(RawHeader) <= kConfigRecordSize);

Status copy_text(char *dst, size_t size, const std::string &text, const char *what) {
  if (text.size() >= size)
    return Error(ErrorKind::invalid_argument, std::string(what) + " '" + text +
                                                  "' is longer than " + std::to_string(size - 1) +
                                                  " characters");
  std::memcpy(dst, text.data(), text.size());
  return {};
}

std::string read_text(const char *src, size_t size) {
  return std::string(src, strnlen(src, size));
}

std::string encode_pins(const SlotRecord &slot) {
  std::string text = slot.pin_root + "\n";
  for (const auto &pin : slot.map_pins)
    text += pin.map + "=" + pin.path + "\n";
  return text;
}

void decode_pins(const std::string &text, SlotRecord &slot) {
  size_t end = text.find('\n');
  if (end == std::string::npos) return;
  slot.pin_root = text.substr(0, end);
  for (size_t start = end + 1; (end = text.find('\n', start)) != std::string::npos;
       start = end + 1) {
    std::string line = text.substr(start, end - start);
    size_t eq = line.find('=');
    if (eq != std::string::npos) slot.map_pins.push_back({line.substr(0, eq), line.substr(eq + 1)});
  }
}

// `record` holds kConfigRecordSize bytes.
Status put(int fd, uint32_t key, const void *record) {
  if (bpf_map_update_elem(fd, &key, record, BPF_ANY) != 0)
    return Error::from_errno("write chain config", errno);
  return {};
}

} // namespace

Result<MapFd> write_config_map(const ChainConfig &config) {
  int raw_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "xdpc_config", sizeof(uint32_t),
                              kConfigRecordSize, config.slots.size() + 1, nullptr);
  if (raw_fd < 0) return Error::from_errno("create chain config map", errno);
  MapFd fd(raw_fd);

  std::vector<uint8_t> record(kConfigRecordSize, 0);
  RawHeader header{};
  std::memcpy(header.magic, kMagic, sizeof kMagic);
  header.version = kConfigVersion;
  header.slot_count = config.slots.size();
  header.backend = static_cast<uint32_t>(config.backend);
  header.mode = static_cast<uint32_t>(config.mode);
  header.frags = config.frags;
  header.generation = config.generation;
  header.counters_off = !config.counters;
  std::memcpy(record.data(), &header, sizeof header);
  XDPC_TRY(put(fd.get(), 0, record.data()));

  for (size_t i = 0; i < config.slots.size(); ++i) {
    const SlotRecord &slot = config.slots[i];
    RawSlot raw{};
    XDPC_TRY(copy_text(raw.label, sizeof raw.label, slot.label, "label"));
    XDPC_TRY(copy_text(raw.program, sizeof raw.program, slot.program, "program name"));
    XDPC_TRY(copy_text(raw.object_path, sizeof raw.object_path, slot.object_path, "object path"));
    XDPC_TRY(copy_text(raw.pins, sizeof raw.pins, encode_pins(slot), "map pins"));
    raw.object_hash = slot.object_hash;
    raw.priority = slot.priority;
    raw.proceed_on = slot.proceed_on;
    raw.counter_index = slot.counter_index;
    raw.member_prog_id = slot.member_prog_id;
    raw.sequence = slot.sequence;
    raw.frags = slot.frags;
    raw.baseline[0] = slot.baseline.entered;
    for (int a = 0; a < 5; ++a)
      raw.baseline[1 + a] = slot.baseline.verdicts[a];
    raw.baseline[6] = slot.baseline.other;
    std::fill(record.begin(), record.end(), 0);
    std::memcpy(record.data(), &raw, sizeof raw);
    XDPC_TRY(put(fd.get(), static_cast<uint32_t>(i + 1), record.data()));
  }
  if (bpf_map_freeze(fd.get()) != 0) return Error::from_errno("freeze chain config map", errno);
  return fd;
}

Result<ChainConfig> read_config_map(MapRef config_map) {
  std::vector<uint8_t> record(kConfigRecordSize);
  uint32_t key = 0;
  if (bpf_map_lookup_elem(config_map.get(), &key, record.data()) != 0)
    return Error::from_errno("read chain config", errno);
  RawHeader header;
  std::memcpy(&header, record.data(), sizeof header);
  if (std::memcmp(header.magic, kMagic, sizeof kMagic) != 0)
    return Error(ErrorKind::invalid_argument, "chain config: bad magic (not an xdpchain map)");
  if (header.version != kConfigVersion)
    return Error(ErrorKind::not_supported,
                 "chain config: version " + std::to_string(header.version) +
                     " (this xdpchain reads version " + std::to_string(kConfigVersion) + ")");
  // Stored as the enums' values: range-checked, so a damaged map is an error, not a backend
  // or mode that does not exist.
  if (header.backend != static_cast<uint32_t>(Backend::freplace) &&
      header.backend != static_cast<uint32_t>(Backend::tailcall) &&
      header.backend != static_cast<uint32_t>(Backend::fused))
    return Error(ErrorKind::invalid_argument,
                 "chain config: unknown backend " + std::to_string(header.backend));
  if (header.mode != static_cast<uint32_t>(Mode::native) &&
      header.mode != static_cast<uint32_t>(Mode::generic))
    return Error(ErrorKind::invalid_argument,
                 "chain config: unknown mode " + std::to_string(header.mode));
  ChainConfig config;
  config.backend = static_cast<Backend>(header.backend);
  config.mode = static_cast<Mode>(header.mode);
  config.frags = header.frags;
  config.generation = header.generation;
  config.counters = header.counters_off == 0;
  for (uint32_t i = 0; i < header.slot_count; ++i) {
    key = i + 1;
    if (bpf_map_lookup_elem(config_map.get(), &key, record.data()) != 0)
      return Error::from_errno("read chain config slot " + std::to_string(i), errno);
    RawSlot raw;
    std::memcpy(&raw, record.data(), sizeof raw);
    SlotRecord slot;
    slot.label = read_text(raw.label, sizeof raw.label);
    slot.program = read_text(raw.program, sizeof raw.program);
    slot.object_path = read_text(raw.object_path, sizeof raw.object_path);
    slot.object_hash = raw.object_hash;
    slot.priority = raw.priority;
    slot.proceed_on = raw.proceed_on;
    slot.counter_index = raw.counter_index;
    slot.member_prog_id = raw.member_prog_id;
    slot.sequence = raw.sequence;
    slot.frags = raw.frags;
    slot.baseline.entered = raw.baseline[0];
    for (int a = 0; a < 5; ++a)
      slot.baseline.verdicts[a] = raw.baseline[1 + a];
    slot.baseline.other = raw.baseline[6];
    decode_pins(read_text(raw.pins, sizeof raw.pins), slot);
    config.slots.push_back(std::move(slot));
  }
  return config;
}

} // namespace xdpchain::dispatcher
