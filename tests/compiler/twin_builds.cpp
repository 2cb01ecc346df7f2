#include "twin_builds.h"

#include "compiler/compile.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

namespace xdpchain::compiler::testing {

std::vector<Build> both_builds(const std::string &dir, const std::string &name) {
  std::vector<Build> out;
  auto elf = compile_file(std::string(XDPCHAIN_SOURCE_DIR) + "/tests/compiler/" + dir + "/" + name +
                          ".lisp");
  EXPECT_TRUE(elf.has_value()) << (elf ? "" : elf.error().str());
  std::ifstream twin(std::string(XDPCHAIN_TWIN_DIR) + "/" + name + ".o", std::ios::binary);
  std::vector<uint8_t> clang_elf((std::istreambuf_iterator<char>(twin)),
                                 std::istreambuf_iterator<char>());
  EXPECT_FALSE(clang_elf.empty()) << "C twin of " << name << " not built";
  std::vector<std::pair<std::string, std::vector<uint8_t>>> builds{{"clang", clang_elf}};
  if (elf) builds.insert(builds.begin(), {"lisp", *elf});
  for (auto &[label, bytes] : builds) {
    auto obj = LoadedObject::load(bytes);
    EXPECT_TRUE(obj.has_value()) << label << ": " << (obj ? "" : obj.error().str(80));
    if (!obj) continue;
    EXPECT_EQ(obj->log.find("Retrying without BTF"), std::string::npos) << label << obj->log;
    out.push_back({label, std::move(*obj)});
  }
  return out;
}

} // namespace xdpchain::compiler::testing
