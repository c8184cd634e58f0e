// tests/scenarios/scenario_file/scenario_time.cpp
#include "scenarios/scenario_file/scenario_time.hpp"

#include <catch2/catch.hpp>

using namespace citytwin::scenarios;

TEST_CASE("scenario durations carry units", "[scenarios][scenario_file]") {
  CHECK(parse_duration("90s") == 90);
  CHECK(parse_duration("20min") == 1200);
  CHECK(parse_duration("3h") == 10800);
  CHECK(parse_duration("1h30min") == 5400);
  CHECK(parse_duration("0.5s") == 0.5);
  CHECK(parse_duration("1h30min15s") == 5415);
  // A bare number has no unit; signs, blanks and unknown units are refused.
  CHECK_FALSE(parse_duration("90"));
  CHECK_FALSE(parse_duration(""));
  CHECK_FALSE(parse_duration("-5s"));
  CHECK_FALSE(parse_duration("5 s"));
  CHECK_FALSE(parse_duration("2d"));
  CHECK_FALSE(parse_duration("5m"));
  CHECK_FALSE(parse_duration(".5s"));
  CHECK_FALSE(parse_duration("5.s"));
}

TEST_CASE("scenario clock times and starts are local civil times",
          "[scenarios][scenario_file]") {
  CHECK(parse_clock("23:00") == 82800);
  CHECK(parse_clock("00:00:30") == 30);
  CHECK(parse_clock("23:59:59") == 86399);
  CHECK_FALSE(parse_clock("24:00"));
  CHECK_FALSE(parse_clock("9:00"));
  CHECK_FALSE(parse_clock("12:60"));
  CHECK_FALSE(parse_clock("12:00:60"));
  auto start = parse_start("2026-06-13T18:30");
  REQUIRE(start);
  CHECK(start->date.year == 2026);
  CHECK(start->date.month == 6);
  CHECK(start->date.day == 13);
  CHECK(start->s_of_day == 66600); // 18.5 h
  CHECK(parse_start("2024-02-29 07:00:05")->s_of_day == 25205);
  CHECK_FALSE(parse_start("2026-02-29T07:00")); // not a leap year
  CHECK_FALSE(parse_start("2026-13-01T07:00"));
  CHECK_FALSE(parse_start("2026-06-13"));
  CHECK_FALSE(parse_start("2026-06-13T18:30Z"));
}

TEST_CASE("scenario time points before the start fall on the next day",
          "[scenarios][scenario_file]") {
  constexpr double start = 18 * 3600; // 18:00
  CHECK(parse_time_point("18:00", start) == 0);
  CHECK(parse_time_point("23:00", start) == 5 * 3600);
  // 01:00 is before 18:00, so it is 01:00 the next day: 7 h in.
  CHECK(parse_time_point("01:00", start) == 7 * 3600);
  CHECK(parse_time_point("17:59:59", start) == 86399);
  CHECK(parse_time_point("+20min", start) == 1200);
  CHECK(parse_time_point("+30h", start) == 30 * 3600);
  CHECK_FALSE(parse_time_point("20min", start));
  CHECK_FALSE(parse_time_point("+", start));
}
