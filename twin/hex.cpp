// twin/hex.cpp
#include "twin/hex.hpp"

namespace citytwin::twin {

namespace {

constexpr std::string_view lower_digits = "0123456789abcdef";

} // namespace

std::string to_hex(std::span<const uint8_t> bytes) {
  std::string result;
  result.reserve(bytes.size() * 2);
  for (auto b : bytes) {
    result += lower_digits[b >> 4];
    result += lower_digits[b & 0x0f];
  }
  return result;
}

std::optional<std::string> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0)
    return std::nullopt;
  std::string result;
  result.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = hex_value(hex[i]);
    int lo = hex_value(hex[i + 1]);
    if (hi < 0 || lo < 0)
      return std::nullopt;
    result += static_cast<char>((hi << 4) | lo);
  }
  return result;
}

} // namespace citytwin::twin
