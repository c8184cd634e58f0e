// twin/civil_time.hpp
#pragma once

#include "twin/reading.hpp"

#include <cstdint>
#include <string>

namespace citytwin::twin {

/// Calendar arithmetic in the proleptic Gregorian calendar, done by
/// `std::chrono::year_month_day` and `sys_days`. Years are not limited to
/// chrono's -32767..32767: the calendar repeats every 400 years, so dates
/// are moved into chrono's range by whole 400-year cycles and back.
/// Time zones stay with their readers (`replay/time_zone`): GCC 12's
/// standard library has no `std::chrono::zoned_time`.

/// A calendar date.
struct civil_date {
  int64_t year = 1970;
  unsigned month = 1; ///< 1..12
  unsigned day = 1;   ///< 1..31
};

/// Days since 1970-01-01 of a date. A day past the end of its month counts
/// on into the next month (February 30 is March 1 or 2), as C's `mktime`
/// and H. Hinnant's `days_from_civil` do.
/// @pre `1 <= month && month <= 12`
int64_t days_from_civil(int64_t year, unsigned month, unsigned day);

/// The date `days` days after 1970-01-01 (before it, if negative).
civil_date civil_from_days(int64_t days);

/// Does `year` have a February 29?
bool is_leap_year(int64_t year);

/// 28 to 31.
/// @pre `1 <= month && month <= 12`
unsigned days_in_month(int64_t year, unsigned month);

/// The weekday of a day count, 0 for Sunday to 6 for Saturday (as
/// `std::chrono::weekday::c_encoding` and POSIX TZ rules count).
unsigned weekday_of(int64_t days);

/// Unix milliseconds as ISO 8601 UTC with milliseconds:
/// `2014-08-01T05:50:00.000Z`.
std::string format_iso_time(time_ms t);

} // namespace citytwin::twin
