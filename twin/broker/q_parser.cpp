// twin/broker/q_parser.cpp
#include "twin/broker/ngsi_query.hpp"
#include "twin/broker/pattern.hpp"
#include "twin/broker/q_value.hpp"
#include "twin/error.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <regex>
#include <string>

namespace citytwin::broker {

namespace {

using detail::q_item;
using detail::q_kind;
using detail::q_literal;
using detail::q_node;
using detail::q_op;
using detail::q_path;
using detail::q_term;

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
         || (c >= '0' && c <= '9') || c == '_' || c == ':' || c == '-'
         || c == '@' || c == '/';
}

bool is_op_char(char c) {
  return c == '=' || c == '!' || c == '<' || c == '>' || c == '~';
}

/// Characters that end an unquoted value.
bool ends_value(char c) {
  return c == ';' || c == '|' || c == '(' || c == ')' || c == ',' || c == '"'
         || c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::optional<q_op> to_op(std::string_view text) {
  constexpr std::pair<std::string_view, q_op> ops[] = {
      {"==", q_op::eq},    {"!=", q_op::ne},        {">", q_op::gt},
      {">=", q_op::ge},    {"<", q_op::lt},         {"<=", q_op::le},
      {"~=", q_op::match}, {"!~=", q_op::no_match},
  };
  for (auto [name, op] : ops)
    if (name == text)
      return op;
  return std::nullopt;
}

/// Recursive descent over the grammar
///   any  := all ('|' all)*
///   all  := term (';' term)*
///   term := '(' any ')' | '!' path | path [op value (',' value)*]
///   value := literal ['..' literal]
/// The first error stops parsing and is kept with its byte offset.
class parser {
public:
  explicit parser(std::string_view text) : text_(text) {
  }

  std::optional<q_node> parse() {
    auto result = parse_any();
    if (!result)
      return std::nullopt;
    skip_space();
    if (pos_ < text_.size())
      return fail(peek() == ')' ? "unbalanced ')'"
                                : "unexpected '" + std::string{peek()} + "'");
    return result;
  }

  caf::error error() const {
    return error_;
  }

private:
  /// What `fail` returns: converts to `false` and to an empty optional,
  /// so every parse function can `return fail(...)`.
  struct failure {
    operator bool() const {
      return false;
    }
    template <class T>
    operator std::optional<T>() const {
      return std::nullopt;
    }
  };

  failure fail(const std::string& what, size_t offset) {
    if (!error_)
      error_ = caf::make_error(twin::errc::malformed_payload,
                               "q: " + what + " at " + std::to_string(offset));
    return {};
  }

  failure fail(const std::string& what) {
    return fail(what, pos_);
  }

  char peek() const {
    return pos_ < text_.size() ? text_[pos_] : '\0';
  }

  bool consume(std::string_view token) {
    if (!text_.substr(pos_).starts_with(token))
      return false;
    pos_ += token.size();
    return true;
  }

  void skip_space() {
    while (pos_ < text_.size()
           && (peek() == ' ' || peek() == '\t' || peek() == '\r'
               || peek() == '\n'))
      ++pos_;
  }

  /// Parses `sub (sep sub)*` into a node of kind `type`.
  template <class Sub>
  std::optional<q_node> parse_list(char sep, q_node::kind type, Sub sub) {
    auto first = (this->*sub)();
    if (!first)
      return std::nullopt;
    skip_space();
    if (peek() != sep)
      return first;
    q_node result;
    result.type = type;
    result.children.push_back(std::move(*first));
    while (consume(std::string_view{&sep, 1})) {
      auto next = (this->*sub)();
      if (!next)
        return std::nullopt;
      result.children.push_back(std::move(*next));
      skip_space();
    }
    return result;
  }

  std::optional<q_node> parse_any() {
    return parse_list('|', q_node::kind::any, &parser::parse_all);
  }

  std::optional<q_node> parse_all() {
    return parse_list(';', q_node::kind::all, &parser::parse_term);
  }

  std::optional<q_node> parse_term() {
    skip_space();
    if (pos_ == text_.size() || peek() == ';' || peek() == '|' || peek() == ')')
      return fail(missing_term());
    if (peek() == '(')
      return parse_group();
    q_node result;
    result.type = q_node::kind::term;
    auto& term = result.term;
    size_t start = pos_;
    bool negated = consume("!");
    if (!parse_path(term.path))
      return std::nullopt;
    skip_space();
    size_t op_start = pos_;
    while (pos_ < text_.size() && is_op_char(peek()))
      ++pos_;
    if (op_start == pos_) {
      term.op = negated ? q_op::absent : q_op::exists;
      return result;
    }
    auto op_text = text_.substr(op_start, pos_ - op_start);
    if (negated)
      return fail("'!' only negates existence, it cannot precede a "
                  "comparison",
                  start);
    auto op = to_op(op_text);
    if (!op)
      return fail("unknown operator '" + std::string{op_text} + "'", op_start);
    term.op = *op;
    if (!parse_values(term))
      return std::nullopt;
    return result;
  }

  std::string missing_term() const {
    size_t before = text_.find_last_not_of(" \t\r\n", pos_ == 0 ? 0 : pos_ - 1);
    if (pos_ == 0 || before == std::string_view::npos)
      return peek() == ')' ? "unbalanced ')'" : "missing query term";
    char c = text_[before];
    if (c == '(')
      return "empty parentheses";
    if (c == ';' || c == '|')
      return std::string{"missing query term after '"} + c + "'";
    if (peek() == ')' && depth_ == 0)
      return "unbalanced ')'";
    return "missing query term";
  }

  std::optional<q_node> parse_group() {
    size_t open = pos_++;
    if (++depth_ > max_q_depth)
      return fail("parentheses nested deeper than "
                      + std::to_string(max_q_depth),
                  open);
    auto result = parse_any();
    if (!result)
      return std::nullopt;
    skip_space();
    if (!consume(")"))
      return fail("missing ')' for the '(' at " + std::to_string(open));
    --depth_;
    return result;
  }

  bool parse_path(q_path& path) {
    if (!parse_name(path.members, "attribute name"))
      return false;
    while (consume("."))
      if (!parse_name(path.members, "sub-attribute name after '.'"))
        return false;
    while (consume("[")) {
      size_t start = pos_;
      while (pos_ < text_.size() && peek() != ']' && peek() != '[')
        ++pos_;
      if (pos_ == start || peek() != ']')
        return fail(pos_ == start ? "empty key in '[]'" : "missing ']'");
      path.keys.emplace_back(text_.substr(start, pos_ - start));
      ++pos_;
    }
    return true;
  }

  bool parse_name(std::vector<std::string>& out, const char* what) {
    size_t start = pos_;
    while (pos_ < text_.size() && is_name_char(peek()))
      ++pos_;
    if (pos_ == start)
      return fail(std::string{"expected "} + what);
    out.emplace_back(text_.substr(start, pos_ - start));
    return true;
  }

  bool parse_values(q_term& term) {
    size_t start = pos_;
    bool quoted = false;
    do {
      q_item item;
      size_t item_start = pos_;
      if (!parse_literal(item.low, quoted))
        return false;
      if (consume("..") && !parse_range(item, item_start))
        return false;
      term.values.push_back(std::move(item));
      skip_space();
    } while (consume(","));
    bool single = term.values.size() == 1 && !term.values[0].high;
    if (term.op == q_op::match || term.op == q_op::no_match) {
      if (!single || !quoted)
        return fail("a regular expression must be one quoted string", start);
      try {
        term.pattern = compile_pattern(term.values[0].low.text);
      } catch (const std::regex_error& err) {
        return fail(std::string{"invalid regular expression ("} + err.what()
                        + ")",
                    start);
      }
      return true;
    }
    if (!single && term.op != q_op::eq && term.op != q_op::ne)
      return fail("ranges and lists only go with == and !=", start);
    return true;
  }

  bool parse_range(q_item& item, size_t start) {
    bool quoted = false;
    q_literal high;
    skip_space();
    if (pos_ == text_.size() || (ends_value(peek()) && peek() != '"'))
      return fail("bad range: missing upper bound");
    if (!parse_literal(high, quoted))
      return false;
    if (text_.substr(pos_).starts_with(".."))
      return fail("bad range: more than two bounds");
    if (high.kind != item.low.kind || high.kind == q_kind::boolean)
      return fail("bad range: bounds of different or unordered types", start);
    if (auto order = detail::compare(literal_json(high), item.low);
        order == detail::q_order::less)
      return fail("bad range: lower bound above upper bound", start);
    item.high = std::move(high);
    return true;
  }

  /// A literal as the JSON an entity would hold, to reuse `compare`.
  static nlohmann::json literal_json(const q_literal& x) {
    if (x.kind == q_kind::number)
      return x.number;
    return x.text;
  }

  bool parse_literal(q_literal& out, bool& quoted) {
    skip_space();
    quoted = peek() == '"';
    if (quoted)
      return parse_string(out);
    size_t start = pos_;
    while (pos_ < text_.size() && !ends_value(peek())
           && !text_.substr(pos_).starts_with(".."))
      ++pos_;
    if (pos_ == start)
      return fail("missing value");
    auto token = text_.substr(start, pos_ - start);
    auto literal = detail::classify_unquoted(token);
    if (!literal)
      return fail("invalid value '" + std::string{token}
                      + "' (strings must be quoted)",
                  start);
    out = std::move(*literal);
    return true;
  }

  /// `"..."`: `\"` and `\\` are escapes; any other backslash stays, so
  /// regular expressions like `"\d+"` need no doubling.
  bool parse_string(q_literal& out) {
    size_t start = pos_++;
    out.kind = q_kind::text;
    while (pos_ < text_.size() && peek() != '"') {
      char c = text_[pos_++];
      if (c == '\\' && (peek() == '"' || peek() == '\\'))
        c = text_[pos_++];
      out.text.push_back(c);
    }
    if (!consume("\""))
      return fail("unterminated string", start);
    return true;
  }

  std::string_view text_;
  size_t pos_ = 0;
  size_t depth_ = 0;
  caf::error error_;
};

} // namespace

caf::expected<q_query> parse_q(std::string_view text) {
  auto fail = [](const std::string& what, size_t offset) {
    return caf::make_error(twin::errc::malformed_payload,
                           "q: " + what + " at " + std::to_string(offset));
  };
  if (text.size() > max_q_length)
    return fail("query longer than " + std::to_string(max_q_length)
                    + " characters",
                max_q_length);
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos)
    return fail("empty query", 0);
  parser p{text};
  auto root = p.parse();
  if (!root)
    return p.error();
  return q_query{std::string{text}, std::move(*root)};
}

} // namespace citytwin::broker
