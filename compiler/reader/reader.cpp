#include "compiler/reader/reader.h"

#include <cctype>

namespace xdpchain::compiler {

namespace {

constexpr int kMaxDepth = 200; // nesting limit: keeps hostile input from exhausting the stack

class Reader {
public:
  Reader(const SourceFile &file, Diagnostics &diags)
      : file_(file), text_(file.text()), diags_(diags) {}

  std::vector<DatumPtr> read_all() {
    std::vector<DatumPtr> forms;
    while (!failed_) {
      skip_space();
      if (failed_ || pos_ >= text_.size()) break;
      if (text_[pos_] == ')') {
        error(pos_, pos_ + 1, "unexpected ')'");
        break;
      }
      DatumPtr d = read(0);
      if (!d) break;
      forms.push_back(std::move(d));
    }
    return forms;
  }

private:
  Span span(uint32_t begin, uint32_t end) const { return Span{&file_, begin, end, nullptr}; }

  void error(uint32_t begin, uint32_t end, std::string message) {
    if (!failed_) diags_.error(span(begin, end), std::move(message));
    failed_ = true;
  }

  static bool is_delimiter(char c) {
    return std::isspace(static_cast<unsigned char>(c)) || c == '(' || c == ')' || c == '"' ||
           c == ';' || c == '\'' || c == '`' || c == ',';
  }

  void skip_space() {
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (std::isspace(static_cast<unsigned char>(c))) {
        ++pos_;
      } else if (c == ';') {
        while (pos_ < text_.size() && text_[pos_] != '\n')
          ++pos_;
      } else if (c == '#' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '|') {
        skip_block_comment();
        if (failed_) return;
      } else {
        return;
      }
    }
  }

  void skip_block_comment() {
    uint32_t start = pos_;
    int depth = 0;
    while (pos_ + 1 < text_.size()) {
      if (text_[pos_] == '#' && text_[pos_ + 1] == '|') {
        ++depth;
        pos_ += 2;
      } else if (text_[pos_] == '|' && text_[pos_ + 1] == '#') {
        pos_ += 2;
        if (--depth == 0) return;
      } else {
        ++pos_;
      }
    }
    pos_ = text_.size();
    error(start, start + 2, "unterminated '#|' comment");
  }

  DatumPtr read(int depth) {
    if (depth > kMaxDepth) {
      error(pos_, pos_ + 1, "forms nested more than " + std::to_string(kMaxDepth) + " deep");
      return nullptr;
    }
    skip_space();
    if (failed_) return nullptr;
    if (pos_ >= text_.size()) {
      error(pos_ ? pos_ - 1 : 0, pos_, "unexpected end of file");
      return nullptr;
    }
    uint32_t start = pos_;
    char c = text_[pos_];
    switch (c) {
    case '(':
      return read_list(depth);
    case ')':
      error(pos_, pos_ + 1, "unexpected ')'");
      return nullptr;
    case '"':
      return read_string();
    case '\'':
      return read_prefixed("quote", 1, depth);
    case '`':
      return read_prefixed("quasiquote", 1, depth);
    case ',':
      if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '@')
        return read_prefixed("unquote-splicing", 2, depth);
      return read_prefixed("unquote", 1, depth);
    case '#':
      return read_hash(start, depth);
    default:
      return read_atom(start);
    }
  }

  DatumPtr read_prefixed(const char *name, uint32_t width, int depth) {
    uint32_t start = pos_;
    pos_ += width;
    DatumPtr inner = read(depth + 1);
    if (!inner) return nullptr;
    return make_list({make_symbol(name, span(start, start + width)), inner}, span(start, pos_));
  }

  DatumPtr read_list(int depth) {
    uint32_t start = pos_++;
    std::vector<DatumPtr> items;
    for (;;) {
      skip_space();
      if (failed_) return nullptr;
      if (pos_ >= text_.size()) {
        error(start, start + 1, "unclosed '(': expected ')' before end of file");
        return nullptr;
      }
      if (text_[pos_] == ')') {
        ++pos_;
        return make_list(std::move(items), span(start, pos_));
      }
      DatumPtr item = read(depth + 1);
      if (!item) return nullptr;
      items.push_back(std::move(item));
    }
  }

  DatumPtr read_string() {
    uint32_t start = pos_++;
    std::string out;
    while (pos_ < text_.size() && text_[pos_] != '"') {
      if (text_[pos_] == '\\' && pos_ + 1 < text_.size()) ++pos_;
      out += text_[pos_++];
    }
    if (pos_ >= text_.size()) {
      error(start, start + 1, "unterminated string: expected '\"'");
      return nullptr;
    }
    ++pos_;
    return make_string(std::move(out), span(start, pos_));
  }

  std::string token() {
    uint32_t start = pos_;
    while (pos_ < text_.size() && !is_delimiter(text_[pos_]))
      ++pos_;
    return text_.substr(start, pos_ - start);
  }

  // Parses digits in `base` with an optional sign; false if not a number or too large.
  static bool parse_integer(const std::string &digits, int base, int64_t &out) {
    size_t i = 0;
    bool negative = false;
    if (i < digits.size() && (digits[i] == '-' || digits[i] == '+')) negative = digits[i++] == '-';
    if (i >= digits.size()) return false;
    unsigned __int128 value = 0;
    for (; i < digits.size(); ++i) {
      char c = static_cast<char>(std::tolower(static_cast<unsigned char>(digits[i])));
      int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : 99;
      if (v >= base) return false;
      value = value * base + v;
      if (value > static_cast<unsigned __int128>(UINT64_MAX)) return false;
    }
    if (negative && value > (static_cast<unsigned __int128>(1) << 63)) return false;
    uint64_t bits = static_cast<uint64_t>(value);
    out = negative ? static_cast<int64_t>(~bits + 1) : static_cast<int64_t>(bits);
    return true;
  }

  static bool looks_numeric(const std::string &t) {
    size_t i = (t.size() > 1 && (t[0] == '-' || t[0] == '+')) ? 1 : 0;
    return i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]));
  }

  DatumPtr read_hash(uint32_t start, int depth) {
    if (pos_ + 1 >= text_.size()) {
      error(start, start + 1, "expected a character after '#'");
      return nullptr;
    }
    char kind = static_cast<char>(std::tolower(static_cast<unsigned char>(text_[pos_ + 1])));
    if (kind == '\'') return read_prefixed("function", 2, depth);
    pos_ += 2;
    if (kind == ':') {
      std::string name = token();
      if (name.empty()) {
        error(start, pos_, "expected a name after '#:'");
        return nullptr;
      }
      return make_symbol(lower(name), span(start, pos_));
    }
    int base = kind == 'x' ? 16 : kind == 'b' ? 2 : kind == 'o' ? 8 : 0;
    if (base == 0) {
      error(start, pos_,
            std::string("unknown reader syntax '#") + text_[pos_ - 1] +
                "': expected #x, #b, #o, #:, #' or #|");
      return nullptr;
    }
    std::string digits = token();
    int64_t value = 0;
    if (!parse_integer(digits, base, value)) {
      error(start, pos_,
            "invalid base-" + std::to_string(base) + " integer '" +
                text_.substr(start, pos_ - start) + "'");
      return nullptr;
    }
    return make_int(value, span(start, pos_));
  }

  static std::string lower(std::string s) {
    for (char &c : s)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }

  DatumPtr read_atom(uint32_t start) {
    std::string t = token();
    if (t.empty()) { // a delimiter we do not handle here
      error(start, start + 1, std::string("unexpected character '") + text_[start] + "'");
      return nullptr;
    }
    if (looks_numeric(t) && t != "1+" && t != "1-") { // 1+ and 1- are function names
      int64_t value = 0;
      if (!parse_integer(t, 10, value)) {
        error(start, pos_, "invalid integer '" + t + "' (integers are at most 64 bits)");
        return nullptr;
      }
      return make_int(value, span(start, pos_));
    }
    if (t[0] == ':') {
      if (t.size() == 1) {
        error(start, pos_, "expected a keyword name after ':'");
        return nullptr;
      }
      return make_keyword(lower(t.substr(1)), span(start, pos_));
    }
    return make_symbol(lower(t), span(start, pos_));
  }

  const SourceFile &file_;
  const std::string &text_;
  Diagnostics &diags_;
  uint32_t pos_ = 0;
  bool failed_ = false;
};

} // namespace

std::vector<DatumPtr> run_reader(const SourceFile &file, Diagnostics &diags) {
  return Reader(file, diags).read_all();
}

} // namespace xdpchain::compiler
