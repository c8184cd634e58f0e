// twin/broker/q_value.cpp
#include "twin/broker/q_value.hpp"

#include "twin/civil_time.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cmath>

namespace citytwin::broker::detail {

namespace {

constexpr int64_t us_per_second = 1'000'000;
constexpr int64_t us_per_minute = 60 * us_per_second;
constexpr int64_t us_per_hour = 60 * us_per_minute;
constexpr int64_t us_per_day = 24 * us_per_hour;
constexpr int fraction_digits = 6; // microseconds

/// Reads exactly `n` decimal digits at `pos`.
std::optional<int> read_digits(std::string_view s, size_t pos, size_t n) {
  if (pos + n > s.size())
    return std::nullopt;
  int result = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9')
      return std::nullopt;
    result = result * 10 + (s[i] - '0');
  }
  return result;
}

/// Parses `hh:mm[:ss[.fraction]]` from the start of `s`; `used` gets the
/// number of characters consumed.
std::optional<int64_t> parse_clock(std::string_view s, size_t& used) {
  auto hh = read_digits(s, 0, 2);
  auto mm = read_digits(s, 3, 2);
  if (!hh || !mm || s.size() < 5 || s[2] != ':' || *hh > 23 || *mm > 59)
    return std::nullopt;
  int64_t result = *hh * us_per_hour + *mm * us_per_minute;
  used = 5;
  if (s.size() < 8 || s[5] != ':')
    return result;
  auto ss = read_digits(s, 6, 2);
  if (!ss || *ss > 59)
    return std::nullopt;
  result += *ss * us_per_second;
  used = 8;
  if (used == s.size() || s[used] != '.')
    return result;
  ++used;
  size_t first = used;
  int64_t fraction = 0;
  int num_digits = 0;
  for (; used < s.size() && s[used] >= '0' && s[used] <= '9'; ++used) {
    if (num_digits < fraction_digits) {
      fraction = fraction * 10 + (s[used] - '0');
      ++num_digits;
    }
  }
  if (used == first)
    return std::nullopt;
  for (; num_digits < fraction_digits; ++num_digits)
    fraction *= 10;
  return result + fraction;
}

/// Parses the zone suffix of a date-time: empty, `Z`, `+hh:mm`, `+hhmm`
/// or `+hh` (and `-`), into microseconds east of UTC.
std::optional<int64_t> parse_zone(std::string_view s) {
  if (s.empty() || s == "Z")
    return int64_t{0};
  if (s[0] != '+' && s[0] != '-')
    return std::nullopt;
  auto hh = read_digits(s, 1, 2);
  std::optional<int> mm = 0;
  if (s.size() == 6 && s[3] == ':')
    mm = read_digits(s, 4, 2);
  else if (s.size() == 5)
    mm = read_digits(s, 3, 2);
  else if (s.size() != 3)
    return std::nullopt;
  if (!hh || !mm || *hh > 23 || *mm > 59)
    return std::nullopt;
  int64_t result = *hh * us_per_hour + *mm * us_per_minute;
  return s[0] == '-' ? -result : result;
}

std::optional<q_literal> classify_number(std::string_view token) {
  // from_chars also accepts "inf" and "nan"; a number starts with a digit.
  size_t lead = token.starts_with('-') ? 1 : 0;
  if (token.size() == lead || token[lead] < '0' || token[lead] > '9')
    return std::nullopt;
  double number = 0;
  auto end = token.data() + token.size();
  auto [ptr, ec] = std::from_chars(token.data(), end, number);
  if (ec != std::errc{} || ptr != end || !std::isfinite(number))
    return std::nullopt;
  q_literal result;
  result.kind = q_kind::number;
  result.number = number;
  return result;
}

/// `scheme:rest` with an RFC 3986 scheme; the rest is whatever the lexer
/// let through.
bool is_uri(std::string_view token) {
  auto colon = token.find(':');
  if (colon == 0 || colon == std::string_view::npos
      || colon + 1 == token.size())
    return false;
  auto alpha
      = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (!alpha(token[0]))
    return false;
  for (size_t i = 1; i < colon; ++i) {
    char c = token[i];
    if (!alpha(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-'
        && c != '.')
      return false;
  }
  return true;
}

template <class T>
q_order three_way(T lhs, T rhs) {
  if (lhs < rhs)
    return q_order::less;
  return lhs == rhs ? q_order::equal : q_order::greater;
}

/// Compares a string target by parsing it with `parse`; a target that
/// does not parse is of another type.
template <class Parse>
q_order compare_parsed(const nlohmann::json& target, int64_t literal,
                       Parse parse) {
  if (!target.is_string())
    return q_order::incomparable;
  auto value = parse(target.get_ref<const std::string&>());
  return value ? three_way(*value, literal) : q_order::incomparable;
}

} // namespace

std::optional<int64_t> parse_date_days(std::string_view text) {
  auto y = read_digits(text, 0, 4);
  auto m = read_digits(text, 5, 2);
  auto d = read_digits(text, 8, 2);
  if (text.size() != 10 || !y || !m || !d || text[4] != '-' || text[7] != '-'
      || *m < 1 || *m > 12 || *d < 1
      || *d > twin::days_in_month(*y, static_cast<unsigned>(*m)))
    return std::nullopt;
  return twin::days_from_civil(*y, static_cast<unsigned>(*m),
                               static_cast<unsigned>(*d));
}

std::optional<int64_t> parse_time_us(std::string_view text) {
  if (text.ends_with('Z'))
    text.remove_suffix(1);
  size_t used = 0;
  auto result = parse_clock(text, used);
  if (!result || used != text.size())
    return std::nullopt;
  return result;
}

std::optional<int64_t> parse_date_time_us(std::string_view text) {
  constexpr size_t date_length = 10;
  if (text.size() <= date_length || text[date_length] != 'T')
    return std::nullopt;
  auto days = parse_date_days(text.substr(0, date_length));
  size_t used = 0;
  auto rest = text.substr(date_length + 1);
  auto clock = parse_clock(rest, used);
  if (!days || !clock)
    return std::nullopt;
  auto zone = parse_zone(rest.substr(used));
  if (!zone)
    return std::nullopt;
  return *days * us_per_day + *clock - *zone;
}

std::optional<q_literal> classify_unquoted(std::string_view token) {
  q_literal result;
  if (token == "true" || token == "false") {
    result.kind = q_kind::boolean;
    result.boolean = token == "true";
    return result;
  }
  if (auto number = classify_number(token))
    return number;
  if (auto instant = parse_date_time_us(token)) {
    result.kind = q_kind::date_time;
    result.instant_us = *instant;
  } else if (auto days = parse_date_days(token)) {
    result.kind = q_kind::date;
    result.instant_us = *days;
  } else if (auto clock = parse_time_us(token)) {
    result.kind = q_kind::time;
    result.instant_us = *clock;
  } else if (is_uri(token)) {
    result.kind = q_kind::text;
  } else {
    return std::nullopt;
  }
  result.text = std::string{token};
  return result;
}

q_order compare(const nlohmann::json& target, const q_literal& literal) {
  switch (literal.kind) {
    case q_kind::number:
      if (!target.is_number())
        return q_order::incomparable;
      return three_way(target.get<double>(), literal.number);
    case q_kind::boolean:
      if (!target.is_boolean())
        return q_order::incomparable;
      return target.get<bool>() == literal.boolean ? q_order::equal
                                                   : q_order::unequal;
    case q_kind::text:
      if (!target.is_string())
        return q_order::incomparable;
      return three_way(std::string_view{target.get_ref<const std::string&>()},
                       std::string_view{literal.text});
    case q_kind::date_time:
      return compare_parsed(target, literal.instant_us, parse_date_time_us);
    case q_kind::date:
      return compare_parsed(target, literal.instant_us, parse_date_days);
    case q_kind::time:
      return compare_parsed(target, literal.instant_us, parse_time_us);
  }
  return q_order::incomparable;
}

} // namespace citytwin::broker::detail
