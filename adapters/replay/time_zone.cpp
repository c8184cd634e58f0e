// adapters/replay/time_zone.cpp
#include "adapters/replay/time_zone.hpp"

#include "twin/iso_time.hpp"
#include "twin/civil_time.hpp"
#include "twin/error.hpp"

#include <algorithm>

namespace citytwin::replay {

namespace {

constexpr int64_t s_per_day = 86'400;
constexpr int s_per_hour = 3'600;
// POSIX allows offsets of 0..24 hours; RFC 8536 (TZif footers) extends
// rule times to -167..167 hours so that rules like "the day after the
// last Saturday" can be written.
constexpr int max_offset_h = 24;
constexpr int max_rule_time_h = 167;
// DST is one hour ahead of standard time unless the rule says otherwise.
constexpr int default_dst_shift_s = s_per_hour;

// Floor division, for instants before 1970.
int64_t floor_div(int64_t a, int64_t b) {
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

// A recursive-descent reader of the POSIX TZ grammar.
class tz_reader {
public:
  explicit tz_reader(std::string_view text) : s_(text) {
    // nop
  }

  bool done() const {
    return pos_ == s_.size();
  }

  bool peek(char c) const {
    return pos_ < s_.size() && s_[pos_] == c;
  }

  bool take(char c) {
    if (!peek(c))
      return false;
    ++pos_;
    return true;
  }

  // A zone name: three or more letters, or `<...>` of letters, digits
  // and signs (for names like <+0330>).
  bool name() {
    auto is_alpha = [](char c) {
      return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    };
    size_t first = pos_;
    if (take('<')) {
      while (pos_ < s_.size() && s_[pos_] != '>') {
        char c = s_[pos_];
        if (!is_alpha(c) && !digit(c) && c != '+' && c != '-')
          return false;
        ++pos_;
      }
      auto length = pos_ - first - 1;
      return take('>') && length >= 3;
    }
    while (pos_ < s_.size() && is_alpha(s_[pos_]))
      ++pos_;
    return pos_ - first >= 3;
  }

  bool name_follows() const {
    return pos_ < s_.size() && s_[pos_] != ',' && !digit(s_[pos_])
           && s_[pos_] != '+' && s_[pos_] != '-';
  }

  // [+|-]hh[:mm[:ss]] with hh at most `max_h`, in seconds.
  bool clock(int max_h, int& out) {
    int sign = 1;
    if (take('-'))
      sign = -1;
    else
      take('+');
    int hours = 0;
    if (!number(1, 3, hours) || hours > max_h)
      return false;
    int minutes = 0;
    int seconds = 0;
    if (take(':') && (!number(2, 2, minutes) || minutes > 59))
      return false;
    if (take(':') && (!number(2, 2, seconds) || seconds > 59))
      return false;
    out = sign * (hours * s_per_hour + minutes * 60 + seconds);
    return true;
  }

  // Jn | n | Mm.w.d, then an optional /time.
  bool date(time_zone::rule_date& out) {
    using form = time_zone::rule_date::form;
    if (take('J')) {
      out.how = form::julian_no_leap;
      if (!number(1, 3, out.day) || out.day < 1 || out.day > 365)
        return false;
    } else if (take('M')) {
      out.how = form::month_week_day;
      if (!number(1, 2, out.month) || out.month < 1 || out.month > 12
          || !take('.') || !number(1, 1, out.week) || out.week < 1
          || out.week > 5 || !take('.') || !number(1, 1, out.day)
          || out.day > 6)
        return false;
    } else {
      out.how = form::julian;
      if (!number(1, 3, out.day) || out.day > 365)
        return false;
    }
    if (take('/'))
      return clock(max_rule_time_h, out.time_s);
    return true;
  }

private:
  static bool digit(char c) {
    return c >= '0' && c <= '9';
  }

  bool number(size_t min_digits, size_t max_digits, int& out) {
    size_t first = pos_;
    int value = 0;
    while (pos_ < s_.size() && digit(s_[pos_]) && pos_ - first < max_digits)
      value = value * 10 + (s_[pos_++] - '0');
    out = value;
    return pos_ - first >= min_digits;
  }

  std::string_view s_;
  size_t pos_ = 0;
};

} // namespace

time_zone time_zone::fixed(int east_min) {
  time_zone result;
  result.std_east_s_ = east_min * 60;
  result.text_ = std::to_string(east_min) + " min";
  return result;
}

caf::expected<time_zone> time_zone::parse(std::string_view text) {
  if (auto offset = twin::parse_utc_offset(text)) {
    auto result = fixed(*offset);
    result.text_ = std::string{text};
    return result;
  }
  auto fail = [&](const char* why) {
    return caf::make_error(twin::errc::invalid_config,
                           "zone '" + std::string{text} + "': " + why);
  };
  time_zone result;
  result.text_ = std::string{text};
  tz_reader in{text};
  int west_s = 0;
  if (!in.name())
    return fail("expected an offset like +02:00 or a POSIX TZ rule like "
                "CET-1CEST,M3.5.0,M10.5.0/3");
  if (!in.clock(max_offset_h, west_s))
    return fail("the standard time name needs an offset (CET-1)");
  result.std_east_s_ = -west_s;
  if (in.done())
    return result;
  if (!in.name_follows() || !in.name())
    return fail("expected a daylight saving time name after the offset");
  result.has_dst_ = true;
  result.dst_east_s_ = result.std_east_s_ + default_dst_shift_s;
  if (!in.peek(',')) {
    if (!in.clock(max_offset_h, west_s))
      return fail("bad daylight saving time offset");
    result.dst_east_s_ = -west_s;
  }
  // POSIX leaves a missing rule to the implementation (glibc guesses US
  // dates); a recording's zone must not be a guess.
  if (!in.take(','))
    return fail("a daylight saving time zone needs its rule: "
                ",start[/time],end[/time]");
  if (!in.date(result.start_) || !in.take(',') || !in.date(result.end_))
    return fail("bad transition date; expected Mm.w.d, Jn or n, and "
                "optionally /time");
  if (!in.done())
    return fail("unexpected text after the rule");
  return result;
}

twin::time_ms time_zone::transition(const rule_date& date, int64_t year,
                                    int east_s) {
  using form = rule_date::form;
  auto jan1 = twin::days_from_civil(year, 1, 1);
  int64_t day = jan1;
  switch (date.how) {
    case form::julian_no_leap:
      // Jn never counts February 29: J60 is always March 1.
      day = jan1 + date.day - 1
            + (twin::is_leap_year(year) && date.day >= 60 ? 1 : 0);
      break;
    case form::julian:
      day = jan1 + date.day;
      break;
    case form::month_week_day: {
      auto month = static_cast<unsigned>(date.month);
      auto first = twin::days_from_civil(year, month, 1);
      // Weekdays count from Sunday (0), as in the rule's `d`.
      int64_t weekday = twin::weekday_of(first);
      day = first + (date.day - weekday + 7) % 7 + (date.week - 1) * 7;
      // Week 5 is the last such weekday, which may be in week 4.
      while (day >= first + twin::days_in_month(year, month))
        day -= 7;
      break;
    }
  }
  return (day * s_per_day + date.time_s - east_s) * 1000;
}

int time_zone::offset_at(twin::time_ms utc) const {
  if (!has_dst_)
    return std_east_s_;
  // The newest transition at or before `utc` decides. Rule times of up to
  // 167 hours can move a transition into the neighbouring year, so the
  // years around `utc` are all looked at.
  auto local_day = floor_div(utc / 1000 + std_east_s_, s_per_day);
  auto year = twin::civil_from_days(local_day).year;
  twin::time_ms newest = 0;
  bool found = false;
  int result = std_east_s_;
  for (auto y = year - 1; y <= year + 1; ++y) {
    // Summer time starts from standard time and ends from summer time.
    auto on = transition(start_, y, std_east_s_);
    auto off = transition(end_, y, dst_east_s_);
    for (auto [at, east] : {std::pair{on, dst_east_s_},
                            std::pair{off, std_east_s_}}) {
      if (at <= utc && (!found || at >= newest)) {
        newest = at;
        result = east;
        found = true;
      }
    }
  }
  return result;
}

twin::time_ms time_zone::to_utc(twin::time_ms wall) const {
  auto as_std = wall - twin::time_ms{std_east_s_} * 1000;
  if (!has_dst_ || dst_east_s_ == std_east_s_)
    return as_std;
  auto as_dst = wall - twin::time_ms{dst_east_s_} * 1000;
  bool std_fits = offset_at(as_std) == std_east_s_;
  bool dst_fits = offset_at(as_dst) == dst_east_s_;
  if (std_fits && dst_fits)
    return std::min(as_std, as_dst); // the repeated hour: first occurrence
  if (std_fits)
    return as_std;
  if (dst_fits)
    return as_dst;
  // The skipped hour: read with the offset in force before the gap (the
  // smaller one), which moves it forward by the gap.
  return std::max(as_std, as_dst);
}

std::optional<twin::time_ms> parse_local_time(std::string_view text,
                                              const time_zone& zone) {
  auto local = twin::parse_iso_local(text);
  if (!local)
    return std::nullopt;
  if (local->offset_min)
    return local->wall - twin::time_ms{*local->offset_min} * 60'000;
  return zone.to_utc(local->wall);
}

} // namespace citytwin::replay
