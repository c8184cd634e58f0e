// twin/text.cpp
#include "twin/text.hpp"

#include <array>
#include <cctype>

namespace citytwin::twin {

namespace {

bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v'
         || c == '\f';
}

} // namespace

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_blank(text.front()))
    text.remove_prefix(1);
  while (!text.empty() && is_blank(text.back()))
    text.remove_suffix(1);
  return text;
}

std::string_view strip_comment(std::string_view line) {
  auto hash = line.find('#');
  return hash == std::string_view::npos ? line : line.substr(0, hash);
}

std::vector<std::string_view> split_ws(std::string_view text) {
  std::vector<std::string_view> result;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_blank(text[i]))
      ++i;
    size_t start = i;
    while (i < text.size() && !is_blank(text[i]))
      ++i;
    if (i > start)
      result.push_back(text.substr(start, i - start));
  }
  return result;
}

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> result;
  size_t start = 0;
  for (;;) {
    auto pos = text.find(sep, start);
    if (pos == std::string_view::npos) {
      result.push_back(text.substr(start));
      return result;
    }
    result.push_back(text.substr(start, pos - start));
    start = pos + 1;
  }
}

std::string fixed7(double x) {
  std::array<char, 64> buf;
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), x,
                                 std::chars_format::fixed, 7);
  return ec == std::errc{} ? std::string(buf.data(), end) : std::string{"0"};
}

std::string shortest(double x) {
  std::array<char, 64> buf;
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), x);
  return ec == std::errc{} ? std::string(buf.data(), end) : std::string{"0"};
}

std::string quoted(std::string_view value, size_t max_length) {
  std::string result = "'";
  for (char c : value.substr(0, max_length))
    result += std::iscntrl(static_cast<unsigned char>(c)) ? '?' : c;
  if (value.size() > max_length)
    result += "...";
  return result + "'";
}

std::optional<bool> parse_yaml_bool(std::string_view text) {
  if (text == "true" || text == "True" || text == "TRUE")
    return true;
  if (text == "false" || text == "False" || text == "FALSE")
    return false;
  return std::nullopt;
}

yaml_number parse_yaml_number(std::string_view text, double& out) {
  auto unsigned_text = text;
  if (!unsigned_text.empty()
      && (unsigned_text[0] == '+' || unsigned_text[0] == '-'))
    unsigned_text.remove_prefix(1);
  // YAML's spellings of infinity and NaN, which from_chars does not know.
  for (auto word : {".inf", ".Inf", ".INF", ".nan", ".NaN", ".NAN"})
    if (unsigned_text == word)
      return yaml_number::not_finite;
  std::string_view digits = text;
  // YAML allows `+5`; from_chars does not.
  if (digits.size() > 1 && digits[0] == '+')
    digits.remove_prefix(1);
  double value = 0;
  auto [end, ec]
    = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  bool whole_text = ec == std::errc{} && !digits.empty()
                    && end == digits.data() + digits.size();
  if (ec == std::errc::result_out_of_range
      || (whole_text && !std::isfinite(value)))
    return yaml_number::not_finite;
  if (!whole_text)
    return yaml_number::not_a_number;
  out = value;
  return yaml_number::ok;
}

} // namespace citytwin::twin
