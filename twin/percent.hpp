// twin/percent.hpp
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace citytwin::twin {

/// Percent escapes (`%2C`), decoded once for the whole project: NGSI-LD
/// paths and query strings, the viewer's stream filters and the tokens of
/// city files.

/// What a '+' in escaped text stands for.
enum class plus_sign {
  /// A plus sign: RFC 3986 paths and NGSI-LD queries (clients write a
  /// blank as %20).
  literal,
  /// A blank: HTML form encoding (`application/x-www-form-urlencoded`).
  space,
};

/// Decodes every %XX escape (hex of either case) and, by `plus`, each '+';
/// nullopt if a '%' is not followed by two hex digits.
std::optional<std::string> percent_decode(std::string_view text,
                                          plus_sign plus = plus_sign::literal);

/// Escapes blanks, control characters, '%', '=', ';', ',' and '#' as %XX so
/// a name fits one token of a city file.
std::string percent_encode(std::string_view text);

/// Reverses `percent_encode`, keeping malformed escapes as they are
/// written: a hand-edited city file's names are read, not refused.
std::string percent_decode_lenient(std::string_view text);

} // namespace citytwin::twin
