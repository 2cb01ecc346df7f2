// The manifest schema's constants and value readers, shared by validate() and convert() so
// that both read a value the same way. Documented for users in manifests/schema.md.
#pragma once

#include "dispatcher/chain_spec.h"
#include "manifests/manifest.h"

#include <optional>
#include <string>

namespace xdpchain::manifests {

inline constexpr const char *kApiVersion = "xdpchain.io/v1";
inline constexpr const char *kKind = "XdpChain";

// Priorities run low to high; ties break by name (see dispatcher order).
inline constexpr int kMinPriority = dispatcher::kMinPriority;
inline constexpr int kMaxPriority = dispatcher::kMaxPriority;

// Programs per chain the `auto` backend can take (it picks freplace, or tail calls when the
// kernel refuses freplace, so the tighter tail-call limit applies only when asked for).
inline constexpr int kMaxProgramsAuto = dispatcher::kMaxMembersFreplace;

// A plain (unquoted) decimal integer, optionally signed.
std::optional<long long> read_integer(const Scalar &scalar);
// "native" | "generic"
std::optional<dispatcher::Mode> read_mode(const std::string &text);
// "auto" | "freplace" | "tailcall"
std::optional<dispatcher::Backend> read_backend(const std::string &text);
// Kubernetes object name (DNS subdomain: lower-case alphanumerics, '-', '.'; max 253).
bool valid_object_name(const std::string &name);
// Program name: a label in the chain and part of bpffs pin names. Letters, digits, '_',
// '-', '.'; starts with a letter or digit; max 63 characters.
bool valid_program_name(const std::string &name);
// `path` as written in the manifest `manifest_path`, made absolute: relative paths resolve
// against the manifest's folder (against the working directory for "<string>" and "<stdin>").
std::string resolve_path(const std::string &manifest_path, const std::string &path);

} // namespace xdpchain::manifests
