#include "tests/manifests/manifest_test_util.h"

#include "manifests/parse.h"

namespace xdpchain::manifests::testing {

// Line numbers matter: the tests point at them.
const char *const kValidManifest = R"(apiVersion: xdpchain.io/v1
kind: XdpChain
metadata:
  name: edge
spec:
  interface: eth0
  mode: native
  backend: auto
  programs:
    - name: count
      object: progs/xdp_count.o
      priority: 10
    - name: drop-icmp
      object: progs/xdp_drop_icmp.o
      priority: 20
      proceedOn: [pass]
    - name: pass
      object: /m/progs/xdp_pass.o
)";

ValidateOptions fake_system() {
  ValidateOptions options;
  options.file_exists = [](const std::string &path) {
    return path.rfind("/m/", 0) == 0 && path.find("missing") == std::string::npos;
  };
  options.netns_exists = [](const std::string &netns) { return netns == "blue"; };
  options.interface_exists = [](const std::string &interface,
                                const std::string &netns) -> Result<bool> {
    if (netns == "blue") return interface == "veth-b";
    return interface == "eth0" || interface == "eth1" || interface == "lo";
  };
  return options;
}

ManifestFile parse_ok(const std::string &text) {
  auto file = parse_string(text, kManifestPath);
  EXPECT_TRUE(file.has_value()) << (file ? "" : file.error().str());
  return file ? *file : ManifestFile{};
}

std::vector<Diagnostic> validate_text(const std::string &text) {
  return validate(parse_ok(text), fake_system());
}

Diagnostic only_diagnostic(const std::string &text) {
  auto diagnostics = validate_text(text);
  std::string all;
  for (const auto &d : diagnostics)
    all += format(d) + "\n";
  EXPECT_EQ(diagnostics.size(), 1u) << all;
  if (diagnostics.empty()) return {Check::syntax, "", {}, "", "no diagnostic", ""};
  return diagnostics.front();
}

void expect_diagnostic(const Diagnostic &d, Check check, int line, int column,
                       const std::string &key, const std::string &message) {
  EXPECT_EQ(d.check, check) << format(d);
  EXPECT_EQ(d.mark.line, line) << format(d);
  EXPECT_EQ(d.mark.column, column) << format(d);
  EXPECT_EQ(d.key, key);
  std::string position = std::to_string(line) + ":" + std::to_string(column);
  EXPECT_EQ(format(d),
            std::string(kManifestPath) + ":" + position + ": key '" + key + "': " + message);
}

} // namespace xdpchain::manifests::testing
