// scenarios/scenario_file/scenario_time.cpp
#include "scenarios/scenario_file/scenario_time.hpp"

#include "twin/text.hpp"

#include <array>
#include <cctype>
#include <cstdint>

namespace citytwin::scenarios {

namespace {

constexpr double s_per_min = 60;
constexpr double s_per_hour = 3600;
constexpr double s_per_day = 86400;
constexpr unsigned hours_per_day = 24;
constexpr unsigned minutes_per_hour = 60;
constexpr unsigned seconds_per_minute = 60;
constexpr unsigned months_per_year = 12;

bool is_digit(char c) {
  return std::isdigit(static_cast<unsigned char>(c)) != 0;
}

// Exactly `width` digits as a number; nullopt otherwise.
std::optional<unsigned> fixed_digits(std::string_view text, size_t width) {
  unsigned result = 0;
  if (text.size() != width || !twin::parse_number(text, result))
    return std::nullopt;
  for (char c : text)
    if (!is_digit(c))
      return std::nullopt;
  return result;
}

// `digits [. digits]` at the front of `text`, consumed.
std::optional<double> leading_number(std::string_view& text) {
  size_t n = 0;
  while (n < text.size() && is_digit(text[n]))
    ++n;
  if (n == 0)
    return std::nullopt;
  if (n < text.size() && text[n] == '.') {
    size_t frac = n + 1;
    while (frac < text.size() && is_digit(text[frac]))
      ++frac;
    if (frac == n + 1)
      return std::nullopt;
    n = frac;
  }
  double result = 0;
  if (!twin::parse_number(text.substr(0, n), result))
    return std::nullopt;
  text.remove_prefix(n);
  return result;
}

// `min` before `s` and `h`: the longest unit that matches wins.
struct unit {
  std::string_view name;
  double seconds;
};
constexpr std::array<unit, 3> units = {{
    {"min", s_per_min},
    {"s", 1},
    {"h", s_per_hour},
}};

} // namespace

std::optional<double> parse_duration(std::string_view text) {
  if (text.empty())
    return std::nullopt;
  double result = 0;
  while (!text.empty()) {
    auto value = leading_number(text);
    if (!value)
      return std::nullopt;
    bool matched = false;
    for (const auto& u : units) {
      if (text.starts_with(u.name)) {
        result += *value * u.seconds;
        text.remove_prefix(u.name.size());
        matched = true;
        break;
      }
    }
    if (!matched)
      return std::nullopt;
  }
  return result;
}

std::optional<double> parse_clock(std::string_view text) {
  // HH:MM is 5 characters, HH:MM:SS 8.
  if (text.size() != 5 && text.size() != 8)
    return std::nullopt;
  if (text[2] != ':' || (text.size() == 8 && text[5] != ':'))
    return std::nullopt;
  auto hours = fixed_digits(text.substr(0, 2), 2);
  auto minutes = fixed_digits(text.substr(3, 2), 2);
  auto seconds = text.size() == 8 ? fixed_digits(text.substr(6, 2), 2)
                                  : std::optional<unsigned>{0};
  if (!hours || !minutes || !seconds || *hours >= hours_per_day
      || *minutes >= minutes_per_hour || *seconds >= seconds_per_minute)
    return std::nullopt;
  return *hours * s_per_hour + *minutes * s_per_min + *seconds;
}

std::optional<start_time> parse_start(std::string_view text) {
  // YYYY-MM-DD is 10 characters, then T or a blank, then the clock.
  if (text.size() < 11 || text[4] != '-' || text[7] != '-'
      || (text[10] != 'T' && text[10] != ' '))
    return std::nullopt;
  auto year = fixed_digits(text.substr(0, 4), 4);
  auto month = fixed_digits(text.substr(5, 2), 2);
  auto day = fixed_digits(text.substr(8, 2), 2);
  auto clock = parse_clock(text.substr(11));
  if (!year || !month || !day || !clock || *month < 1
      || *month > months_per_year || *day < 1
      || *day > twin::days_in_month(*year, *month))
    return std::nullopt;
  start_time result;
  result.date = {*year, *month, *day};
  result.s_of_day = *clock;
  return result;
}

std::optional<double> parse_time_point(std::string_view text,
                                       double start_s_of_day) {
  if (text.starts_with('+'))
    return parse_duration(text.substr(1));
  auto clock = parse_clock(text);
  if (!clock)
    return std::nullopt;
  auto result = *clock - start_s_of_day;
  return result < 0 ? result + s_per_day : result;
}

} // namespace citytwin::scenarios
