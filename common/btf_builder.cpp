#include "common/btf_builder.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <linux/btf.h>

#include <cerrno>
#include <cstring>

namespace xdpchain::bpf {

void BtfBuilder::BtfDeleter::operator()(struct btf *b) const {
  btf__free(b);
}

BtfBuilder::BtfBuilder() : btf_(btf__new_empty()) {
  if (!btf_) {
    first_error_ = errno ? errno : ENOMEM;
    first_error_what_ = "btf__new_empty";
  }
}
BtfBuilder::~BtfBuilder() = default;
BtfBuilder::BtfBuilder(BtfBuilder &&) noexcept = default;
BtfBuilder &BtfBuilder::operator=(BtfBuilder &&) noexcept = default;

TypeId BtfBuilder::check(int id, const char *what) {
  if (id < 0 && first_error_ == 0) {
    first_error_ = -id;
    first_error_what_ = what;
  }
  return id < 0 ? 0 : static_cast<TypeId>(id);
}

TypeId BtfBuilder::int_type(const std::string &name, uint32_t bytes, bool is_signed) {
  return check(btf__add_int(btf_.get(), name.c_str(), bytes, is_signed ? BTF_INT_SIGNED : 0),
               "btf int");
}

TypeId BtfBuilder::pointer(TypeId target) {
  return check(btf__add_ptr(btf_.get(), target), "btf ptr");
}

TypeId BtfBuilder::array(TypeId element, uint32_t count) {
  return check(btf__add_array(btf_.get(), u32(), element, count), "btf array");
}

TypeId BtfBuilder::struct_type(const std::string &name, uint32_t bytes,
                               const std::vector<BtfMember> &members) {
  TypeId id = check(btf__add_struct(btf_.get(), name.c_str(), bytes), "btf struct");
  for (const auto &m : members)
    check(btf__add_field(btf_.get(), m.name.c_str(), m.type, m.bit_offset, 0), "btf field");
  return id;
}

TypeId BtfBuilder::union_type(const std::string &name, uint32_t bytes,
                              const std::vector<BtfMember> &members) {
  TypeId id = check(btf__add_union(btf_.get(), name.c_str(), bytes), "btf union");
  for (const auto &m : members)
    check(btf__add_field(btf_.get(), m.name.c_str(), m.type, m.bit_offset, 0), "btf field");
  return id;
}

TypeId BtfBuilder::enum_type(const std::string &name, uint32_t bytes,
                             const std::vector<BtfEnumValue> &values) {
  TypeId id = check(btf__add_enum(btf_.get(), name.c_str(), bytes), "btf enum");
  for (const auto &v : values)
    check(btf__add_enum_value(btf_.get(), v.name.c_str(), v.value), "btf enum value");
  return id;
}

TypeId BtfBuilder::typedef_type(const std::string &name, TypeId target) {
  return check(btf__add_typedef(btf_.get(), name.c_str(), target), "btf typedef");
}

TypeId BtfBuilder::const_type(TypeId target) {
  return check(btf__add_const(btf_.get(), target), "btf const");
}

TypeId BtfBuilder::volatile_type(TypeId target) {
  return check(btf__add_volatile(btf_.get(), target), "btf volatile");
}

TypeId BtfBuilder::func_proto(TypeId ret, const std::vector<BtfParam> &params) {
  TypeId id = check(btf__add_func_proto(btf_.get(), ret), "btf func_proto");
  for (const auto &p : params)
    check(btf__add_func_param(btf_.get(), p.name.c_str(), p.type), "btf func param");
  return id;
}

TypeId BtfBuilder::func(const std::string &name, TypeId proto, Linkage linkage) {
  int l = linkage == Linkage::global    ? BTF_FUNC_GLOBAL
          : linkage == Linkage::extern_ ? BTF_FUNC_EXTERN
                                        : BTF_FUNC_STATIC;
  return check(btf__add_func(btf_.get(), name.c_str(), static_cast<btf_func_linkage>(l), proto),
               "btf func");
}

TypeId BtfBuilder::var(const std::string &name, TypeId type, Linkage linkage) {
  int l = linkage == Linkage::global    ? BTF_VAR_GLOBAL_ALLOCATED
          : linkage == Linkage::extern_ ? BTF_VAR_GLOBAL_EXTERN
                                        : BTF_VAR_STATIC;
  return check(btf__add_var(btf_.get(), name.c_str(), l, type), "btf var");
}

TypeId BtfBuilder::datasec(const std::string &name, uint32_t bytes,
                           const std::vector<BtfVarSecInfo> &vars) {
  TypeId id = check(btf__add_datasec(btf_.get(), name.c_str(), bytes), "btf datasec");
  for (const auto &v : vars)
    check(btf__add_datasec_var_info(btf_.get(), v.var, v.offset, v.size), "btf datasec var");
  return id;
}

uint32_t BtfBuilder::string(const std::string &text) {
  return check(btf__add_str(btf_.get(), text.c_str()), "btf string");
}

TypeId BtfBuilder::u32() {
  if (!u32_) u32_ = int_type("unsigned int", 4, false);
  return u32_;
}

TypeId BtfBuilder::int32() {
  if (!int_) int_ = int_type("int", 4, true);
  return int_;
}

TypeId BtfBuilder::xdp_md() {
  if (xdp_md_) return xdp_md_;
  TypeId u = typedef_type("__u32", u32());
  const char *fields[] = {"data",           "data_end",      "data_meta", "ingress_ifindex",
                          "rx_queue_index", "egress_ifindex"};
  std::vector<BtfMember> members;
  for (uint32_t i = 0; i < 6; ++i)
    members.push_back({fields[i], u, i * 32});
  xdp_md_ = struct_type("xdp_md", 24, members);
  return xdp_md_;
}

TypeId BtfBuilder::xdp_func_proto() {
  if (!xdp_proto_) xdp_proto_ = func_proto(int32(), {{"ctx", pointer(xdp_md())}});
  return xdp_proto_;
}

Status BtfBuilder::status() const {
  if (first_error_ != 0) return Error::from_errno(first_error_what_, first_error_);
  return {};
}

Result<std::vector<uint8_t>> BtfBuilder::encode() const {
  XDPC_TRY(status());
  uint32_t size = 0;
  const void *data = btf__raw_data(btf_.get(), &size);
  if (!data) return Error::from_errno("btf encode", errno);
  const auto *bytes = static_cast<const uint8_t *>(data);
  return std::vector<uint8_t>(bytes, bytes + size);
}

Result<Fd> BtfBuilder::load() const {
  auto raw_bytes = encode();
  if (!raw_bytes) return std::move(raw_bytes).error();
  std::string log(64 * 1024, '\0');
  LIBBPF_OPTS(bpf_btf_load_opts, opts, .log_buf = log.data(), .log_level = 1,
              .log_size = static_cast<uint32_t>(log.size()));
  int fd = bpf_btf_load(raw_bytes->data(), raw_bytes->size(), &opts);
  if (fd < 0) {
    int err = errno;
    log.resize(std::strlen(log.c_str()));
    return Error::from_errno("btf load", err).with_verifier_log(log);
  }
  return Fd(fd);
}

} // namespace xdpchain::bpf
