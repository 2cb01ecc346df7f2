// libFuzzer target for manifests: YAML text through parse_string(), validate() (every schema
// rule, with a fixed fake view of the system so that no input touches it) and, when valid,
// convert() to chain specs. Built by tests/fuzz/run.sh with clang++ -fsanitize=fuzzer,address.
#include "manifests/convert.h"
#include "manifests/parse.h"
#include "manifests/validate.h"

#include <cstddef>
#include <cstdint>
#include <string>

namespace {

bool starts_with(const std::string &s, const std::string &prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 64 * 1024) return 0;
  using namespace xdpchain;
  using namespace xdpchain::manifests;
  std::string text(reinterpret_cast<const char *>(data), size);
  auto file = parse_string(text, "/fuzz/chain.yaml");
  if (!file) {
    (void)file.error().str();
    return 0;
  }
  ValidateOptions validate_options;
  validate_options.file_exists = [](const std::string &path) {
    return path.size() > 2 && path.back() != '/';
  };
  validate_options.netns_exists = [](const std::string &netns) { return netns == "blue"; };
  validate_options.interface_exists = [](const std::string &name,
                                         const std::string &) -> Result<bool> {
    return starts_with(name, "eth") || name == "lo";
  };
  validate_options.on_bpffs = [](const std::string &path) {
    return starts_with(path, "/sys/fs/bpf/");
  };
  auto problems = validate(*file, validate_options);
  for (const auto &problem : problems)
    (void)format(problem);
  if (!problems.empty()) return 0;
  ConvertOptions convert_options;
  convert_options.compile = [](const std::string &path) -> Result<std::vector<uint8_t>> {
    return Error(ErrorKind::not_supported, "no compiler while fuzzing: " + path);
  };
  convert_options.object_cache = "/nonexistent/xdpchain-fuzz-cache";
  auto targets = convert(*file, convert_options);
  if (!targets) (void)targets.error().str();
  return 0;
}
