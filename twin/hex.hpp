// twin/hex.hpp
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace citytwin::twin {

/// Hexadecimal digits, read and written once for the whole project:
/// credential hashes (`broker/secret_hash`) and percent escapes
/// (`twin/percent`) both use them.

/// The value of one hex digit of either case, or -1 for any other character.
constexpr int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/// Lower-case hex, two digits per byte.
std::string to_hex(std::span<const uint8_t> bytes);

/// Parses hex of any case into bytes; nullopt for an odd length or a
/// non-hex digit.
std::optional<std::string> from_hex(std::string_view hex);

} // namespace citytwin::twin
