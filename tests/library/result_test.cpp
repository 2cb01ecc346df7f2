// Result<T> and Status (include/xdpchain/result.h): asking for what a result does not hold
// stops the program with the reason, in release builds too, never an undefined value.
#include <xdpchain/result.h>

#include <gtest/gtest.h>

#include <string>

namespace xdpchain {
namespace {

Result<int> failed() {
  return Error(ErrorKind::not_found, "interface 'eth9' does not exist");
}

TEST(ResultMisuse, ValueOfAnErrorStopsWithTheError) {
  EXPECT_DEATH((void)failed().value(), "value\\(\\) of a Result that holds an error: "
                                       "interface 'eth9' does not exist");
  EXPECT_DEATH((void)*failed(), "holds an error");
}

TEST(ResultMisuse, ErrorOfAValueStops) {
  Result<int> ok = 7;
  EXPECT_EQ(*ok, 7);
  EXPECT_DEATH((void)ok.error(), "error\\(\\) of a Result that holds a value");
  Status fine;
  EXPECT_DEATH((void)fine.error(), "error\\(\\) of a Status that holds success");
}

TEST(ResultMisuse, RightUseIsUntouched) {
  Result<std::string> text = std::string("ok");
  EXPECT_EQ(text.value(), "ok");
  EXPECT_EQ(failed().error().kind(), ErrorKind::not_found);
  Status bad = Error(ErrorKind::io, "disk");
  EXPECT_EQ(bad.error().message(), "disk");
}

} // namespace
} // namespace xdpchain
