// twin/civil_time.cpp
#include "twin/civil_time.hpp"

#include <chrono>
#include <cstdio>

namespace citytwin::twin {

namespace {

namespace chr = std::chrono;

// The Gregorian calendar repeats every 400 years, which are 146,097 days.
constexpr int64_t years_per_cycle = 400;
constexpr int64_t days_per_cycle = 146'097;
constexpr int64_t ms_per_day = 86'400'000;

int64_t floor_div(int64_t a, int64_t b) {
  auto result = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? result - 1 : result;
}

// `year` moved by whole cycles into 0..399, which chrono represents.
chr::year cycle_year(int64_t year, int64_t& cycles) {
  cycles = floor_div(year, years_per_cycle);
  return chr::year{static_cast<int>(year - cycles * years_per_cycle)};
}

} // namespace

int64_t days_from_civil(int64_t year, unsigned month, unsigned day) {
  int64_t cycles = 0;
  auto y = cycle_year(year, cycles);
  // A day beyond the month's end is valid for sys_days: it counts on
  // from the first of the month ([time.cal.ymd.nonmembers]).
  chr::year_month_day date{y, chr::month{month}, chr::day{day}};
  return chr::sys_days{date}.time_since_epoch().count()
         + cycles * days_per_cycle;
}

civil_date civil_from_days(int64_t days) {
  auto cycles = floor_div(days, days_per_cycle);
  chr::year_month_day date{
      chr::sys_days{chr::days{days - cycles * days_per_cycle}}};
  return {int{date.year()} + cycles * years_per_cycle, unsigned{date.month()},
          unsigned{date.day()}};
}

bool is_leap_year(int64_t year) {
  int64_t cycles = 0;
  return cycle_year(year, cycles).is_leap();
}

unsigned days_in_month(int64_t year, unsigned month) {
  int64_t cycles = 0;
  chr::year_month_day_last last{cycle_year(year, cycles),
                                chr::month_day_last{chr::month{month}}};
  return unsigned{last.day()};
}

unsigned weekday_of(int64_t days) {
  return chr::weekday{chr::sys_days{chr::days{days}}}.c_encoding();
}

std::string format_iso_time(time_ms t) {
  // Floor division without `days * ms_per_day`, which overflows for the
  // smallest counts.
  auto days = t / ms_per_day;
  auto rest = t % ms_per_day;
  if (rest < 0) {
    rest += ms_per_day;
    --days;
  }
  auto date = civil_from_days(days);
  char buf[64];
  std::snprintf(buf, sizeof(buf),
                "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ",
                static_cast<long long>(date.year), date.month, date.day,
                static_cast<long long>(rest / 3'600'000),
                static_cast<long long>(rest / 60'000 % 60),
                static_cast<long long>(rest / 1000 % 60),
                static_cast<long long>(rest % 1000));
  return buf;
}

} // namespace citytwin::twin
