// What a source file defines once macros are expanded and constants folded: structs,
// maps and programs (whose bodies are still datums, lowered per program later).
#pragma once

#include "compiler/model/program_types.h"
#include "compiler/reader/datum.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace xdpchain::compiler {

enum class Scalar : uint8_t { u8, u16, u32, u64, i8, i16, i32, i64 };

uint32_t scalar_size(Scalar s);
bool scalar_signed(Scalar s);
// "u32" -> Scalar::u32; also accepts the C spellings __u32, uint32_t... not needed.
std::optional<Scalar> parse_scalar(const std::string &name);
const char *scalar_name(Scalar s);
// The unsigned scalar of 1, 2, 4 or 8 bytes; nullopt for any other size.
std::optional<Scalar> unsigned_scalar_of_size(uint32_t size);

struct FieldType {
  Scalar scalar = Scalar::u64;
  uint32_t count = 0; // > 0: (array SCALAR count)
  uint32_t size() const { return scalar_size(scalar) * (count ? count : 1); }
};

struct StructField {
  std::string name;
  FieldType type;
  uint32_t offset = 0;
  Span span;
};

struct StructDef {
  std::string name;
  std::vector<StructField> fields;
  uint32_t size = 0;
  uint32_t align = 1;
  Span span;
  const StructField *field(const std::string &field_name) const;
};

struct MapDef {
  std::string name;   // as written: drop-count
  std::string c_name; // drop_count
  uint32_t type = 0;  // BPF_MAP_TYPE_*
  uint32_t key_size = 0;
  uint32_t value_size = 0;
  uint32_t max_entries = 0;
  uint32_t flags = 0;
  std::string key_struct;   // :key-type
  std::string value_struct; // :value-type
  Span span;
};

struct ProgramDef {
  std::string name;
  std::string c_name;
  const ProgramTypeInfo *type = nullptr;
  std::string section;
  std::string license;
  std::optional<uint32_t> priority;
  std::optional<uint32_t> proceed_on; // bit per XDP action
  std::vector<DatumPtr> body;
  Span span;
};

struct ProgramModel {
  std::vector<StructDef> structs;
  std::vector<MapDef> maps;
  std::vector<ProgramDef> programs;
  std::string license;

  const StructDef *find_struct(const std::string &name) const;
  int find_map(const std::string &name) const; // index or -1
};

// Names in the object are C identifiers: '-' becomes '_'.
std::string c_identifier(const std::string &name);

} // namespace xdpchain::compiler
