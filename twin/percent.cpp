// twin/percent.cpp
#include "twin/percent.hpp"

#include "twin/hex.hpp"

namespace citytwin::twin {

namespace {

// The byte of the escape at `text[i]` ('%' and two hex digits), or -1.
int escaped_byte(std::string_view text, size_t i) {
  if (text[i] != '%' || i + 2 >= text.size())
    return -1;
  int hi = hex_value(text[i + 1]);
  int lo = hex_value(text[i + 2]);
  return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

} // namespace

std::optional<std::string> percent_decode(std::string_view text,
                                          plus_sign plus) {
  std::string result;
  result.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+' && plus == plus_sign::space) {
      result += ' ';
      continue;
    }
    if (text[i] != '%') {
      result += text[i];
      continue;
    }
    auto byte = escaped_byte(text, i);
    if (byte < 0)
      return std::nullopt;
    result += static_cast<char>(byte);
    i += 2;
  }
  return result;
}

std::string percent_encode(std::string_view text) {
  constexpr std::string_view special = " \t%=;,#";
  constexpr std::string_view upper_digits = "0123456789ABCDEF";
  std::string result;
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (special.find(c) == std::string_view::npos && byte >= 0x20) {
      result += c;
      continue;
    }
    result += '%';
    result += upper_digits[byte >> 4];
    result += upper_digits[byte & 0xF];
  }
  return result;
}

std::string percent_decode_lenient(std::string_view text) {
  std::string result;
  result.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    auto byte = escaped_byte(text, i);
    if (byte < 0) {
      result += text[i];
      continue;
    }
    result += static_cast<char>(byte);
    i += 2;
  }
  return result;
}

} // namespace citytwin::twin
