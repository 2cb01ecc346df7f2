// A chain without counters (`--counters off`, fused backend) shows no numbers where it has
// none: "-" in the `status` and `stats` tables, null in their JSON. And `stats` JSON with
// `other` and `entered_total`, one document per interval with `--watch`.
#include "tests/cli/operator_fixture.h"

#include <gmock/gmock.h>

#include <regex>
#include <sstream>

namespace xdpchain::test {
namespace {

using ::testing::HasSubstr;
using json = nlohmann::json;

using CountersTest = OperatorTest;

const char *const kCounterKeys[] = {"entered", "aborted",  "drop", "pass",
                                    "tx",      "redirect", "other"};

TEST_F(CountersTest, CountersOffShowDashesAndNulls) {
  ASSERT_EQ(run({"add", iface(), prog_path("xdp_drop_icmp"), "--name", "icmp", "--backend", "fused",
                 "--counters", "off"})
                .exit_code,
            0);
  EXPECT_EQ(pair_->ping(3), 0); // the chain runs

  CommandResult table = run({"status", iface()});
  ASSERT_EQ(table.exit_code, 0) << table;
  EXPECT_THAT(table.out, HasSubstr("1 program, native mode, fused backend")) << table;
  EXPECT_THAT(table.out, HasSubstr("counters off")) << table;
  std::regex dashes(R"(icmp +50 +pass +[0-9]+ +- +- +- +- +- +- +- )");
  EXPECT_TRUE(std::regex_search(table.out, dashes)) << table;

  json chain = cli_->status(iface());
  EXPECT_EQ(chain["counters"], false);
  for (const char *key : kCounterKeys)
    EXPECT_TRUE(member(chain, "icmp")["counters"][key].is_null()) << key << ": " << chain;

  CommandResult stats = run({"stats", iface(), "--interval", "0.2", "-j"});
  ASSERT_EQ(stats.exit_code, 0) << stats;
  json row = json::parse(stats.out)["programs"][0];
  EXPECT_EQ(json::parse(stats.out)["schema_version"], 2);
  for (const char *key : kCounterKeys)
    EXPECT_TRUE(row.contains(key) && row[key].is_null()) << key << ": " << row;
  EXPECT_TRUE(row["entered_total"].is_null()) << row;

  stats = run({"stats", iface(), "--interval", "0.2"});
  ASSERT_EQ(stats.exit_code, 0) << stats;
  EXPECT_THAT(stats.out, HasSubstr("(counters off: no counts)")) << stats;
  EXPECT_TRUE(std::regex_search(stats.out, std::regex(R"(icmp +- +- +- +- +- +- +-\n)"))) << stats;
}

TEST_F(CountersTest, StatsWatchJsonIsOneDocumentPerInterval) {
  ASSERT_EQ(
      run({"add", iface(), prog_path("xdp_drop_icmp"), "--name", "icmp", "--backend", "tailcall"})
          .exit_code,
      0);
  EXPECT_EQ(pair_->ping(3), 0);
  CommandResult watch =
      run({"stats", iface(), "--watch", "-j", "--count", "2", "--interval", "0.2"});
  ASSERT_EQ(watch.exit_code, 0) << watch;
  std::istringstream lines(watch.out);
  std::vector<json> documents;
  for (std::string line; std::getline(lines, line);)
    documents.push_back(json::parse(line, nullptr, false));
  ASSERT_EQ(documents.size(), 2u) << watch;
  for (const auto &doc : documents) {
    ASSERT_TRUE(doc.is_object()) << watch;
    EXPECT_EQ(doc["schema_version"], 2) << doc;
    EXPECT_GT(doc["seconds"].get<double>(), 0.1) << doc;
    json row = doc["programs"][0];
    EXPECT_EQ(row["label"], "icmp") << doc;
    EXPECT_EQ(row["other"], 0.0) << doc;
    EXPECT_EQ(row["entered_total"], 3) << doc; // every echo request since it joined
  }
  CommandResult table = run({"stats", iface(), "--watch", "--count", "1", "--interval", "0.2"});
  ASSERT_EQ(table.exit_code, 0) << table;
  EXPECT_THAT(table.out, HasSubstr("total entered")) << table;
  EXPECT_THAT(table.out, HasSubstr("(total entered: packets since the program joined the chain)"))
      << table;
}

} // namespace
} // namespace xdpchain::test
