// twin/text.hpp
#pragma once

#include <charconv>
#include <cmath>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace citytwin::twin {

/// Small text helpers shared by the file readers. Locale-independent and
/// allocation-light, because city files reach millions of lines.

/// Removes leading and trailing blanks, including the CR of CRLF files.
std::string_view trim(std::string_view text);

/// Cuts a `#` comment off a line.
std::string_view strip_comment(std::string_view line);

/// Splits on runs of blanks.
std::vector<std::string_view> split_ws(std::string_view text);

/// Splits on one separator character; keeps empty fields.
std::vector<std::string_view> split(std::string_view text, char sep);

/// Parses a whole token as a number. Doubles must be finite; a partial
/// parse ("12abc") fails.
template <class T>
bool parse_number(std::string_view text, T& out) {
  T value{};
  auto [end, ec]
      = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size())
    return false;
  if constexpr (std::is_floating_point_v<T>)
    if (!std::isfinite(value))
      return false;
  out = value;
  return true;
}

/// Formats with 7 decimals (1 cm at the equator), for coordinates.
std::string fixed7(double x);

/// The shortest text that reads back as the same double.
std::string shortest(double x);

/// A value quoted for an error message: cut to `max_length` bytes (then
/// "..."), control characters shown as '?', so a report keeps one
/// problem per line and a paragraph pasted into the wrong field stays
/// short.
std::string quoted(std::string_view value, size_t max_length = 64);

/// YAML's spellings of a boolean (true/True/TRUE, false/False/FALSE);
/// nullopt for anything else.
std::optional<bool> parse_yaml_bool(std::string_view text);

/// How a YAML scalar reads as a number (the rule and scenario files).
enum class yaml_number { ok, not_finite, not_a_number };

/// Parses a whole YAML scalar as a double. YAML's leading `+` is
/// accepted; its `.inf` / `.nan` spellings, overflow and non-finite
/// values are `not_finite`; a partial parse ("12abc") is `not_a_number`.
yaml_number parse_yaml_number(std::string_view text, double& out);

} // namespace citytwin::twin
