// adapters/replay/time_zone.hpp
#pragma once

#include "twin/reading.hpp"

#include <caf/expected.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace citytwin::replay {

/// The zone of a recording's local times: a fixed UTC offset, or a POSIX
/// TZ rule with daylight saving time (`CET-1CEST,M3.5.0,M10.5.0/3`), read
/// and applied here, without the C library's global TZ state (`setenv`,
/// `localtime` are neither thread-safe nor deterministic). Plain value.
///
/// Local times that a transition makes ambiguous (the repeated hour in
/// autumn) are taken as their first occurrence, i.e. still daylight saving
/// time; local times that do not exist (the skipped hour in spring) are
/// shifted forward by the length of the gap (02:30 becomes 03:30 DST).
class time_zone {
public:
  /// UTC.
  time_zone() = default;

  /// A zone `east_min` minutes east of UTC, all year.
  static time_zone fixed(int east_min);

  /// Parses `Z`, an offset (`+02:00`, `-0130`) or a POSIX TZ rule
  /// `std offset [dst [offset] ,start[/time],end[/time]]` with dates
  /// `Jn`, `n` or `Mm.w.d` and the RFC 8536 extension of rule times to
  /// +-167 hours. POSIX offsets count west (`CET-1` is UTC+1). A rule
  /// names both transitions: `CET-1CEST` without them is refused, not
  /// guessed. errc::invalid_config otherwise.
  static caf::expected<time_zone> parse(std::string_view text);

  /// Seconds east of UTC in force at `utc` (ms since the epoch).
  int offset_at(twin::time_ms utc) const;

  /// The instant of a local wall-clock time, given as if it were UTC
  /// (ms since the epoch); see the class comment for the autumn and spring
  /// hours.
  twin::time_ms to_utc(twin::time_ms wall) const;

  /// True if the zone has daylight saving time.
  bool has_dst() const {
    return has_dst_;
  }

  /// Seconds east of UTC of standard time.
  int standard_offset() const {
    return std_east_s_;
  }

  /// What was parsed, for messages.
  const std::string& text() const {
    return text_;
  }

  /// One transition date of a rule (POSIX `Jn`, `n` or `Mm.w.d`) and the
  /// local time of day it happens at, in seconds.
  struct rule_date {
    enum class form : uint8_t { julian_no_leap, julian, month_week_day };
    form how = form::month_week_day;
    int day = 0;   ///< Jn: 1..365; n: 0..365; Mm.w.d: d, 0 = Sunday
    int week = 0;  ///< Mm.w.d: 1..5, 5 = last
    int month = 0; ///< Mm.w.d: 1..12
    int time_s = 2 * 3600;
  };

private:
  // The UTC instant (ms) of a transition in `year`, at local time with
  // `east_s` in force before it.
  static twin::time_ms transition(const rule_date& date, int64_t year,
                                  int east_s);

  std::string text_ = "Z";
  int std_east_s_ = 0;
  int dst_east_s_ = 0;
  bool has_dst_ = false;
  rule_date start_;
  rule_date end_;
};

/// Parses an ISO 8601 date-time (ingest/iso_time.hpp); a time without a
/// zone of its own is local time in `zone`.
std::optional<twin::time_ms> parse_local_time(std::string_view text,
                                              const time_zone& zone);

} // namespace citytwin::replay
