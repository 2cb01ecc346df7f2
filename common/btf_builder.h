// Typed BTF builder over libbpf's writer API (btf__add_*). Composite types take all their
// members in one call, so there is no "last added type" cursor to get wrong. Shared by the
// dispatcher generator and the compiler.
#pragma once

#include "common/fd.h"
#include "common/result.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

struct btf;

namespace xdpchain::bpf {

using TypeId = uint32_t; // 0 is void

enum class Linkage { static_, global, extern_ };

struct BtfMember {
  std::string name;
  TypeId type;
  uint32_t bit_offset;
};

struct BtfParam {
  std::string name;
  TypeId type;
};

struct BtfVarSecInfo {
  TypeId var;
  uint32_t offset;
  uint32_t size;
};

struct BtfEnumValue {
  std::string name;
  int64_t value;
};

class BtfBuilder {
public:
  BtfBuilder();
  ~BtfBuilder();
  BtfBuilder(BtfBuilder &&) noexcept;
  BtfBuilder &operator=(BtfBuilder &&) noexcept;
  BtfBuilder(const BtfBuilder &) = delete;
  BtfBuilder &operator=(const BtfBuilder &) = delete;

  TypeId int_type(const std::string &name, uint32_t bytes, bool is_signed = false);
  TypeId pointer(TypeId target);
  TypeId array(TypeId element, uint32_t count);
  TypeId struct_type(const std::string &name, uint32_t bytes,
                     const std::vector<BtfMember> &members);
  TypeId union_type(const std::string &name, uint32_t bytes, const std::vector<BtfMember> &members);
  TypeId enum_type(const std::string &name, uint32_t bytes,
                   const std::vector<BtfEnumValue> &values);
  TypeId typedef_type(const std::string &name, TypeId target);
  TypeId const_type(TypeId target);
  TypeId volatile_type(TypeId target);
  TypeId func_proto(TypeId ret, const std::vector<BtfParam> &params);
  TypeId func(const std::string &name, TypeId proto, Linkage linkage);
  TypeId var(const std::string &name, TypeId type, Linkage linkage);
  TypeId datasec(const std::string &name, uint32_t bytes, const std::vector<BtfVarSecInfo> &vars);
  // Adds a string to the string section (for line_info file and source text).
  uint32_t string(const std::string &text);

  // `struct xdp_md` as in linux/bpf.h, with its __u32 members (a real struct, not a
  // forward declaration: freplace checks prototypes against it). Cached per builder.
  TypeId xdp_md();
  // `int NAME(struct xdp_md *ctx)` prototype, cached per builder.
  TypeId xdp_func_proto();
  TypeId u32();
  TypeId int32();

  // First error seen by any add call (libbpf reports errors per call); empty when fine.
  Status status() const;
  Result<std::vector<uint8_t>> encode() const;
  // Loads the BTF into the kernel; `log` receives the kernel's complaint on failure.
  Result<Fd> load() const;
  const struct btf *raw() const { return btf_.get(); }

private:
  TypeId check(int id, const char *what);

  struct BtfDeleter {
    void operator()(struct btf *b) const;
  };
  std::unique_ptr<struct btf, BtfDeleter> btf_;
  int first_error_ = 0;
  std::string first_error_what_;
  TypeId u32_ = 0, int_ = 0, xdp_md_ = 0, xdp_proto_ = 0;
};

} // namespace xdpchain::bpf
