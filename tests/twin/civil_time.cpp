// tests/twin/civil_time.cpp
#include "twin/civil_time.hpp"

#include <catch2/catch.hpp>

#include <limits>

using namespace citytwin::twin;

namespace {

constexpr int64_t ms_per_day = 86'400'000;

// H. Hinnant's algorithms as twin/iso_time.cpp and
// adapters/replay/time_zone.cpp had them before std::chrono replaced
// them: the reference the new code must agree with, day for day.
int64_t hinnant_days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

civil_date hinnant_civil_from_days(int64_t days) {
  int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<int64_t>(yoe) + era * 400 + (m <= 2), m, d};
}

bool same(const civil_date& a, const civil_date& b) {
  return a.year == b.year && a.month == b.month && a.day == b.day;
}

} // namespace

TEST_CASE("civil dates agree with Hinnant's algorithm day for day", "[twin]") {
  // Every day from 1200 BCE to 3160 CE (1.6 million days), both ways.
  int64_t num_wrong = 0;
  for (int64_t days = -800'000; days <= 800'000; ++days) {
    auto date = civil_from_days(days);
    if (!same(date, hinnant_civil_from_days(days))
        || days_from_civil(date.year, date.month, date.day) != days)
      ++num_wrong;
  }
  CHECK(num_wrong == 0);
  // Far beyond chrono's years -32767..32767: the 400-year cycle carries
  // the calendar out to the largest millisecond count.
  for (int64_t days : {int64_t{-106'751'991'168}, int64_t{-12'000'000},
                       int64_t{12'000'000}, int64_t{106'751'991'167}}) {
    auto date = civil_from_days(days);
    CHECK(same(date, hinnant_civil_from_days(days)));
    CHECK(days_from_civil(date.year, date.month, date.day) == days);
  }
}

TEST_CASE("known dates, leap years and negative days", "[twin]") {
  CHECK(days_from_civil(1970, 1, 1) == 0);
  CHECK(days_from_civil(1969, 12, 31) == -1);
  // 30 years of 365 days plus the leap days of 1972, 1976, ..., 1996.
  CHECK(days_from_civil(2000, 1, 1) == 30 * 365 + 7);
  CHECK(days_from_civil(2000, 3, 1) - days_from_civil(2000, 2, 28) == 2);
  CHECK(days_from_civil(1900, 3, 1) - days_from_civil(1900, 2, 28) == 1);
  // Year 0 (1 BCE) is a leap year; Hinnant's offset 719468 is the day
  // count from 0000-03-01 to 1970-01-01.
  CHECK(days_from_civil(0, 3, 1) == -719'468);
  CHECK(days_from_civil(0, 3, 1) - days_from_civil(0, 2, 28) == 2);
  CHECK(same(civil_from_days(-719'469), {0, 2, 29}));
  CHECK(same(civil_from_days(-1), {1969, 12, 31}));
  // A day past the month's end counts on, as days_from_civil always did.
  CHECK(days_from_civil(2015, 2, 29) == days_from_civil(2015, 3, 1));
  CHECK(days_from_civil(2016, 2, 30) == days_from_civil(2016, 3, 1));
  CHECK(days_from_civil(2016, 2, 30) == hinnant_days_from_civil(2016, 2, 30));
  // Every 4th year, but of the centuries only every 4th (-400, 0, 2000).
  for (int64_t y : {-400, -4, 0, 4, 1600, 2000, 2024})
    CHECK(is_leap_year(y));
  for (int64_t y : {-300, -100, -1, 1, 1900, 2023, 2100})
    CHECK_FALSE(is_leap_year(y));
  CHECK(days_in_month(2024, 2) == 29);
  CHECK(days_in_month(1900, 2) == 28);
  CHECK(days_in_month(-4, 2) == 29);
  CHECK(days_in_month(2023, 4) == 30);
  CHECK(days_in_month(2023, 12) == 31);
}

TEST_CASE("weekdays count from Sunday, before 1970 too", "[twin]") {
  CHECK(weekday_of(0) == 4);  // 1970-01-01 was a Thursday
  CHECK(weekday_of(-1) == 3); // and the day before a Wednesday
  CHECK(weekday_of(-4) == 0);
  CHECK(weekday_of(-5) == 6);
  CHECK(weekday_of(days_from_civil(2024, 6, 21)) == 5); // a Friday
  for (int64_t days = -1000; days <= 1000; ++days)
    CHECK(weekday_of(days) == static_cast<unsigned>(((days + 4) % 7 + 7) % 7));
}

TEST_CASE("format_iso_time writes UTC with milliseconds", "[twin]") {
  CHECK(format_iso_time(0) == "1970-01-01T00:00:00.000Z");
  CHECK(format_iso_time(-1) == "1969-12-31T23:59:59.999Z");
  // 2014-08-01T00:00:00Z is 1,406,851,200 s after the epoch.
  CHECK(format_iso_time(1'406'851'200'145) == "2014-08-01T00:00:00.145Z");
  CHECK(format_iso_time(days_from_civil(2000, 2, 29) * ms_per_day + 86'399'999)
        == "2000-02-29T23:59:59.999Z");
  // The extremes of a millisecond count, as java.time prints them too.
  CHECK(format_iso_time(std::numeric_limits<int64_t>::max())
        == "292278994-08-17T07:12:55.807Z");
  CHECK(format_iso_time(std::numeric_limits<int64_t>::min())
        == "-292275055-05-16T16:47:04.192Z");
}
