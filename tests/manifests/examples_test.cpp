// Every manifest in manifests/examples/ parses, validates (against a system that has its
// interfaces and files) and converts.
#include "manifests/convert.h"
#include "manifests/parse.h"
#include "manifests/validate.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace xdpchain::manifests {
namespace {

const std::string kExamples = XDPCHAIN_SOURCE_DIR "/manifests/examples";

std::vector<std::string> example_files() {
  std::vector<std::string> files;
  for (const auto &entry : std::filesystem::directory_iterator(kExamples))
    if (entry.path().extension() == ".yaml") files.push_back(entry.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

TEST(Examples, AllValidateAndConvert) {
  auto files = example_files();
  EXPECT_GE(files.size(), 3u);
  ValidateOptions system;
  system.file_exists = [](const std::string &) { return true; }; // objects are built elsewhere
  system.netns_exists = [](const std::string &) { return true; };
  system.interface_exists = [](const std::string &, const std::string &) -> Result<bool> {
    return true;
  };
  ConvertOptions convert_options;
  convert_options.object_cache = "/tmp/xdpchain-examples-test-cache";
  convert_options.compile = [](const std::string &) -> Result<std::vector<uint8_t>> {
    return std::vector<uint8_t>{0x7f, 'E', 'L', 'F'};
  };
  int documents = 0;
  for (const auto &path : files) {
    SCOPED_TRACE(path);
    auto file = parse_file(path);
    ASSERT_TRUE(file.has_value()) << file.error().str();
    for (const auto &d : validate(*file, system))
      ADD_FAILURE() << format(d);
    auto targets = convert(*file, convert_options);
    ASSERT_TRUE(targets.has_value()) << targets.error().str();
    for (const auto &target : *targets) {
      EXPECT_FALSE(target.spec.members.empty());
      for (const auto &member : target.spec.members)
        EXPECT_TRUE(std::filesystem::path(member.object_path).is_absolute());
    }
    documents += static_cast<int>(targets->size());
  }
  EXPECT_GT(documents, static_cast<int>(files.size())); // at least one multi-document file
  std::filesystem::remove_all("/tmp/xdpchain-examples-test-cache");
}

} // namespace
} // namespace xdpchain::manifests
