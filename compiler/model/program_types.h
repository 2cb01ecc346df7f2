// Program types of the language: kernel type, context struct and its fields, default
// section. Field offsets come from the installed kernel headers (offsetof), not by hand.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace xdpchain::compiler {

struct ContextField {
  std::string name; // language name, with '-' (data-end)
  uint32_t offset;
  uint8_t size;                // bytes
  bool packet_pointer = false; // data/data-end/data-meta: loaded as 32-bit, a pointer after
};

struct ProgramTypeInfo {
  std::string keyword;        // "xdp", "socket-filter", ...
  uint32_t prog_type;         // BPF_PROG_TYPE_*
  std::string context_struct; // "xdp_md", "__sk_buff", ...
  uint32_t context_size;
  std::string default_section;
  std::vector<ContextField> fields;
  int default_return; // what with-packet returns when the packet is too short
};

// Looks a program type up by its keyword (without ':').
const ProgramTypeInfo *find_program_type(const std::string &keyword);
const std::vector<ProgramTypeInfo> &program_types();
const ContextField *find_context_field(const ProgramTypeInfo &type, const std::string &name);

} // namespace xdpchain::compiler
