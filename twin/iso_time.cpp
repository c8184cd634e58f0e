// twin/iso_time.cpp
#include "twin/iso_time.hpp"

#include <cstdint>

namespace citytwin::twin {

namespace {

constexpr int64_t ms_per_minute = 60'000;
constexpr int64_t ms_per_day = 86'400'000;

// Reads exactly `n` digits at `pos`.
bool digits(std::string_view s, size_t& pos, size_t n, int& out) {
  if (pos + n > s.size())
    return false;
  int value = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9')
      return false;
    value = value * 10 + (c - '0');
  }
  pos += n;
  out = value;
  return true;
}

bool expect(std::string_view s, size_t& pos, char c) {
  if (pos >= s.size() || s[pos] != c)
    return false;
  ++pos;
  return true;
}

} // namespace

std::optional<int> parse_utc_offset(std::string_view s) {
  if (s == "Z" || s == "z")
    return 0;
  if (s.size() < 3 || (s[0] != '+' && s[0] != '-'))
    return std::nullopt;
  size_t pos = 1;
  int hours = 0;
  int minutes = 0;
  if (!digits(s, pos, 2, hours))
    return std::nullopt;
  if (pos < s.size()) {
    if (s[pos] == ':')
      ++pos;
    if (!digits(s, pos, 2, minutes))
      return std::nullopt;
  }
  if (pos != s.size() || hours > 23 || minutes > 59)
    return std::nullopt;
  int result = hours * 60 + minutes;
  return s[0] == '-' ? -result : result;
}

std::optional<time_ms> parse_iso_time(std::string_view s,
                                            int default_offset_min) {
  auto local = parse_iso_local(s);
  if (!local)
    return std::nullopt;
  return local->wall
         - int64_t{local->offset_min.value_or(default_offset_min)}
             * ms_per_minute;
}

std::optional<iso_local_time> parse_iso_local(std::string_view s) {
  size_t pos = 0;
  int year = 0;
  int month = 0;
  int day = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  if (!digits(s, pos, 4, year) || !expect(s, pos, '-')
      || !digits(s, pos, 2, month) || !expect(s, pos, '-')
      || !digits(s, pos, 2, day))
    return std::nullopt;
  if (pos >= s.size() || (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' '))
    return std::nullopt;
  ++pos;
  if (!digits(s, pos, 2, hour) || !expect(s, pos, ':')
      || !digits(s, pos, 2, minute))
    return std::nullopt;
  if (pos < s.size() && s[pos] == ':' && !(++pos, digits(s, pos, 2, second)))
    return std::nullopt;
  int64_t millis = 0;
  if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
    ++pos;
    size_t first = pos;
    int64_t scale = 100;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      millis += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == first)
      return std::nullopt;
  }
  iso_local_time result;
  if (pos < s.size()) {
    result.offset_min = parse_utc_offset(s.substr(pos));
    if (!result.offset_min)
      return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1
      || static_cast<unsigned>(day)
             > days_in_month(year, static_cast<unsigned>(month))
      || hour > 23 || minute > 59 || second > 60)
    return std::nullopt;
  // A leap second (:60) folds onto the next second, as Unix time does.
  result.wall = days_from_civil(year, static_cast<unsigned>(month),
                                static_cast<unsigned>(day))
                  * ms_per_day
                + (int64_t{hour} * 60 + minute) * ms_per_minute
                + int64_t{second} * 1000 + millis;
  return result;
}

} // namespace citytwin::twin
