// The reader: lexical syntax of docs/language.md, and the rule that every datum has a span.
#include "compiler/reader/reader.h"

#include <gtest/gtest.h>

using namespace xdpchain::compiler;

namespace {

std::vector<DatumPtr> read(const std::string &text, Diagnostics &diags, SourceFile *&file) {
  static std::vector<std::unique_ptr<SourceFile>> files;
  files.push_back(std::make_unique<SourceFile>("r.lisp", text));
  file = files.back().get();
  return run_reader(*file, diags);
}

std::vector<DatumPtr> read_ok(const std::string &text) {
  Diagnostics diags;
  SourceFile *file;
  auto forms = read(text, diags, file);
  EXPECT_FALSE(diags.has_errors()) << diags.format();
  return forms;
}

void expect_all_spanned(const Datum &d, const std::string &text) {
  ASSERT_TRUE(d.span.valid());
  ASSERT_LE(d.span.begin, d.span.end);
  ASSERT_LE(d.span.end, text.size());
  for (const auto &item : d.items)
    expect_all_spanned(*item, text);
}

TEST(Reader, IntegersInEveryBase) {
  auto forms = read_ok("42 -7 #x1F #b101 #o17 #XfF 18446744073709551615 -9223372036854775808");
  ASSERT_EQ(forms.size(), 8u);
  EXPECT_EQ(forms[0]->integer, 42);
  EXPECT_EQ(forms[1]->integer, -7);
  EXPECT_EQ(forms[2]->integer, 31);
  EXPECT_EQ(forms[3]->integer, 5);
  EXPECT_EQ(forms[4]->integer, 15);
  EXPECT_EQ(forms[5]->integer, 255);
  EXPECT_EQ(static_cast<uint64_t>(forms[6]->integer), UINT64_MAX);
  EXPECT_EQ(forms[7]->integer, INT64_MIN);
}

TEST(Reader, SymbolsAreCaseInsensitiveAndKeywordsKeepTheirName) {
  auto forms = read_ok("Drop-Count :TYPE #:Whistler XDP_PASS +tcp-syn+");
  EXPECT_TRUE(forms[0]->is_symbol("drop-count"));
  EXPECT_TRUE(forms[1]->is_keyword("type"));
  EXPECT_TRUE(forms[2]->is_symbol("whistler"));
  EXPECT_TRUE(forms[3]->is_symbol("xdp_pass"));
  EXPECT_TRUE(forms[4]->is_symbol("+tcp-syn+"));
}

TEST(Reader, CommentsAndStrings) {
  auto forms = read_ok("; line\n#| block #| nested |# |# (a \"x \\\" y\") ; end");
  ASSERT_EQ(forms.size(), 1u);
  ASSERT_EQ(forms[0]->size(), 2u);
  EXPECT_TRUE((*forms[0])[1]->is_string());
  EXPECT_EQ((*forms[0])[1]->text, "x \" y");
}

TEST(Reader, QuoteBackquoteAndUnquote) {
  auto forms = read_ok("'x `(a ,b ,@c)");
  EXPECT_EQ(to_string(*forms[0]), "(quote x)");
  EXPECT_EQ(to_string(*forms[1]), "(quasiquote (a (unquote b) (unquote-splicing c)))");
}

TEST(Reader, EveryDatumHasASpanCoveringItsText) {
  std::string text = "(defprog p (:type :xdp)\n  (let ((x #x10)) `(a ,x))\n  'q \"s\")";
  Diagnostics diags;
  SourceFile *file;
  auto forms = read(text, diags, file);
  ASSERT_EQ(forms.size(), 1u);
  expect_all_spanned(*forms[0], text);
  const Datum &let = *(*forms[0])[3];
  EXPECT_EQ(let.span.line(), 2u);
  EXPECT_EQ(let.span.column(), 3u);
  EXPECT_EQ(text.substr(let.span.begin, let.span.end - let.span.begin), "(let ((x #x10)) `(a ,x))");
}

struct ReaderError {
  const char *text;
  const char *message;
  uint32_t line, column;
};

class ReaderErrors : public ::testing::TestWithParam<ReaderError> {};

TEST_P(ReaderErrors, ReportPositionAndMessage) {
  Diagnostics diags;
  SourceFile *file;
  read(GetParam().text, diags, file);
  ASSERT_TRUE(diags.has_errors());
  const Diagnostic &d = diags.errors()[0];
  EXPECT_NE(d.message.find(GetParam().message), std::string::npos) << d.message;
  EXPECT_EQ(d.span.line(), GetParam().line);
  EXPECT_EQ(d.span.column(), GetParam().column);
}

INSTANTIATE_TEST_SUITE_P(All, ReaderErrors,
                         ::testing::Values(ReaderError{"(a\n  (b)", "unclosed '('", 1, 1},
                                           ReaderError{"(a))", "unexpected ')'", 1, 4},
                                           ReaderError{"(a \"abc", "unterminated string", 1, 4},
                                           ReaderError{"#| x", "unterminated '#|'", 1, 1},
                                           ReaderError{"#q1", "unknown reader syntax", 1, 1},
                                           ReaderError{"#xZZ", "invalid base-16 integer", 1, 1},
                                           ReaderError{"99999999999999999999", "invalid integer", 1,
                                                       1},
                                           ReaderError{"(a :)", "expected a keyword name", 1, 4},
                                           ReaderError{"'", "unexpected end of file", 1, 1}));

TEST(Reader, DeepNestingIsAnErrorNotACrash) {
  Diagnostics diags;
  SourceFile *file;
  read(std::string(100000, '('), diags, file);
  ASSERT_TRUE(diags.has_errors());
  EXPECT_NE(diags.errors()[0].message.find("nested"), std::string::npos);
}

} // namespace
