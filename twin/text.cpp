// twin/text.cpp
#include "twin/text.hpp"

#include <array>

namespace citytwin::twin {

namespace {

bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v'
         || c == '\f';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
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

std::string percent_encode(std::string_view text) {
  constexpr std::string_view special = " \t%=;,#";
  constexpr char digits[] = "0123456789ABCDEF";
  std::string result;
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (special.find(c) == std::string_view::npos && byte >= 0x20) {
      result += c;
      continue;
    }
    result += '%';
    result += digits[byte >> 4];
    result += digits[byte & 0xF];
  }
  return result;
}

std::string percent_decode(std::string_view text) {
  std::string result;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      int hi = hex_value(text[i + 1]);
      int lo = hex_value(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        result += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    result += text[i];
  }
  return result;
}

} // namespace citytwin::twin
