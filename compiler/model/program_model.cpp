#include "compiler/model/program_model.h"

#include <cctype>

namespace xdpchain::compiler {

uint32_t scalar_size(Scalar s) {
  switch (s) {
  case Scalar::u8:
  case Scalar::i8:
    return 1;
  case Scalar::u16:
  case Scalar::i16:
    return 2;
  case Scalar::u32:
  case Scalar::i32:
    return 4;
  default:
    return 8;
  }
}

bool scalar_signed(Scalar s) {
  return s == Scalar::i8 || s == Scalar::i16 || s == Scalar::i32 || s == Scalar::i64;
}

std::optional<Scalar> parse_scalar(const std::string &name) {
  static const std::pair<const char *, Scalar> table[] = {
      {"u8", Scalar::u8}, {"u16", Scalar::u16}, {"u32", Scalar::u32}, {"u64", Scalar::u64},
      {"i8", Scalar::i8}, {"i16", Scalar::i16}, {"i32", Scalar::i32}, {"i64", Scalar::i64}};
  for (const auto &[n, s] : table)
    if (name == n) return s;
  return std::nullopt;
}

const char *scalar_name(Scalar s) {
  static const char *names[] = {"u8", "u16", "u32", "u64", "i8", "i16", "i32", "i64"};
  return names[static_cast<int>(s)];
}

std::optional<Scalar> unsigned_scalar_of_size(uint32_t size) {
  switch (size) {
  case 1:
    return Scalar::u8;
  case 2:
    return Scalar::u16;
  case 4:
    return Scalar::u32;
  case 8:
    return Scalar::u64;
  default:
    return std::nullopt;
  }
}

const StructField *StructDef::field(const std::string &field_name) const {
  for (const auto &f : fields)
    if (f.name == field_name) return &f;
  return nullptr;
}

const StructDef *ProgramModel::find_struct(const std::string &name) const {
  for (const auto &s : structs)
    if (s.name == name) return &s;
  return nullptr;
}

int ProgramModel::find_map(const std::string &name) const {
  for (size_t i = 0; i < maps.size(); ++i)
    if (maps[i].name == name) return static_cast<int>(i);
  return -1;
}

std::string c_identifier(const std::string &name) {
  std::string out = name;
  for (char &c : out)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) c = '_';
  if (!out.empty() && std::isdigit(static_cast<unsigned char>(out[0]))) out = "_" + out;
  return out;
}

} // namespace xdpchain::compiler
