// tests/twin/iso_time.cpp
#include "twin/iso_time.hpp"

#include <catch2/catch.hpp>

using namespace citytwin::twin;

TEST_CASE("ISO 8601 times parse with and without zones", "[twin]") {
  // 2014-08-01T00:00:00Z is 1,406,851,200 s after the epoch.
  constexpr int64_t aug1 = 1'406'851'200'000;
  CHECK(parse_iso_time("2014-08-01T00:00:00Z") == aug1);
  CHECK(parse_iso_time("2014-08-01T00:00:00") == aug1);
  CHECK(parse_iso_time("2014-08-01T02:00:00+02:00") == aug1);
  CHECK(parse_iso_time("2014-08-01T02:00:00+0200") == aug1);
  CHECK(parse_iso_time("2014-07-31T22:30:00-01:30") == aug1);
  // A local time without zone takes the configured offset.
  CHECK(parse_iso_time("2014-08-01T02:00:00", 120) == aug1);
  CHECK(parse_iso_time("2014-08-01 00:00:00.145") == aug1 + 145);
  CHECK(parse_iso_time("2014-08-01T00:00:00.1239Z") == aug1 + 123);
  CHECK(parse_iso_time("2014-08-01T00:00") == aug1);
  CHECK(parse_iso_time("2016-02-29T00:00:00Z").has_value());
  CHECK_FALSE(parse_iso_time("2015-02-29T00:00:00Z"));
  CHECK_FALSE(parse_iso_time("2014-13-01T00:00:00"));
  CHECK_FALSE(parse_iso_time("2014-08-01T00:00:00\r"));
  CHECK_FALSE(parse_iso_time("2014-08-01"));
  CHECK_FALSE(parse_iso_time("2014-08-01T00:00:00+25:00"));
  CHECK_FALSE(parse_iso_time(""));
  CHECK(format_iso_time(aug1 + 145) == "2014-08-01T00:00:00.145Z");
  CHECK(format_iso_time(0) == "1970-01-01T00:00:00.000Z");
  CHECK(parse_utc_offset("-05:00") == -300);
}
