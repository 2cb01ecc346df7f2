// spec.interfaces (names and globs) and spec.interfaceSelector.primary through the built
// `xdpchain apply`: the selection is resolved in the DUT's namespace at apply time, and the
// verdicts on real ping traffic show which interface got the chain.
#include "tests/manifests/apply_fixture.h"

#include <regex>

namespace xdpchain::test {
namespace {

const std::vector<Program> kDropIcmp = {{"drop-icmp", "xdp_drop_icmp", 20, ""}};

// `document()` with its `interface:` line replaced by `selection` (YAML lines under spec).
std::string with_selection(const std::string &document, const std::string &selection) {
  return std::regex_replace(document, std::regex("  interface: [^\n]*\n"), selection);
}

TEST_P(ApplyTest, GlobInInterfacesSelectsTheVeth) {
  const std::string glob = iface().substr(0, 3) + "*";
  std::string path =
      write("glob.yaml", with_selection(document("edge", kDropIcmp),
                                        "  interfaces: [absent0, '" + glob + "']\n"));
  ASSERT_EQ(net().ping(2), 2) << "no chain yet";
  CommandResult r = apply(path);
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_NE(r.out.find(iface()), std::string::npos) << "the report names the selected veth: " << r;
  nlohmann::json st = status();
  ASSERT_EQ(labels(st), (std::vector<std::string>{"drop-icmp"})) << st.dump(2);
  EXPECT_EQ(net().ping(3), 0) << "the chain selected by '" << glob << "' drops ICMP";
  EXPECT_EQ(counter(status(), "drop-icmp", "drop"), 3u);

  CommandResult same = diff(path);
  EXPECT_EQ(same.exit_code, 0) << "diff resolves the glob the same way: " << same;
}

TEST_P(ApplyTest, SelectionMatchingNothingIsBadInputNamingDocumentAndPatterns) {
  std::string path = write("none.yaml", with_selection(document("edge", kDropIcmp),
                                                       "  interfaces: ['nomatch*', absent0]\n"));
  CommandResult r = apply(path);
  ASSERT_EXIT_CODE(r, 2);
  EXPECT_NE(r.err.find("none.yaml:1:1: document 'edge'"), std::string::npos) << r;
  EXPECT_NE(r.err.find("spec.interfaces [nomatch*, absent0] matches no interface"),
            std::string::npos)
      << r;
  EXPECT_EQ(net().ping(2), 2) << "nothing attached";
}

TEST_P(ApplyTest, PrimarySelectorPicksTheInterfaceOfTheDefaultRoute) {
  std::string path =
      write("primary.yaml", with_selection(document("edge", kDropIcmp), "  interfaceSelector:\n"
                                                                        "    primary: true\n"));
  CommandResult none = apply(path);
  ASSERT_EXIT_CODE(none, 2);
  EXPECT_NE(none.err.find("spec.interfaceSelector {primary: true} matches no interface"),
            std::string::npos)
      << "no default route in the DUT's namespace yet: " << none;

  CommandResult route = net().exec_dut({"ip", "route", "add", "default", "via", net().peer().ipv4});
  ASSERT_EQ(route.exit_code, 0) << route;
  CommandResult r = apply(path);
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_EQ(labels(status()), (std::vector<std::string>{"drop-icmp"}));
  EXPECT_EQ(net().ping(3), 0) << "the default route's interface runs the chain";
}

} // namespace
} // namespace xdpchain::test
