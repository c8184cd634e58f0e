// tests/adapters/replay/time_zone.cpp
// recorded datasets, including the two hours a year that are hard.
#include "adapters/replay/time_zone.hpp"

#include "twin/iso_time.hpp"
#include "twin/error.hpp"

#include <catch2/catch.hpp>

using namespace citytwin;
using replay::time_zone;

namespace {

constexpr auto danish = "CET-1CEST,M3.5.0,M10.5.0/3";
constexpr int hour_s = 3600;

// An instant written with its zone, in ms.
twin::time_ms at(const char* iso) {
  auto result = twin::parse_iso_time(iso);
  REQUIRE(result);
  return *result;
}

// A local wall-clock time counted as if it were UTC, in ms.
twin::time_ms wall(const char* iso) {
  auto result = twin::parse_iso_local(iso);
  REQUIRE(result);
  REQUIRE_FALSE(result->offset_min);
  return result->wall;
}

time_zone zone(const char* text) {
  auto result = time_zone::parse(text);
  INFO(text);
  REQUIRE(result);
  return *result;
}

} // namespace

TEST_CASE("fixed offsets are zones without rules", "[adapters][replay]") {
  auto z = zone("+02:00");
  CHECK_FALSE(z.has_dst());
  CHECK(z.standard_offset() == 2 * hour_s);
  CHECK(z.to_utc(wall("2014-10-26T03:00:00")) == at("2014-10-26T01:00:00Z"));
  CHECK(zone("Z").standard_offset() == 0);
  CHECK(zone("-0130").standard_offset() == -90 * 60);
  // A POSIX zone without summer time; the sign counts west.
  CHECK(zone("CET-1").standard_offset() == hour_s);
  CHECK(zone("EST5").standard_offset() == -5 * hour_s);
  CHECK(zone("<+0330>-3:30").standard_offset() == 3 * hour_s + 30 * 60);
  CHECK(time_zone::fixed(120).to_utc(wall("2014-08-01T02:00:00"))
        == at("2014-08-01T00:00:00Z"));
}

TEST_CASE("Danish time changes on the last Sundays of March and October",
          "[adapters][replay]") {
  auto z = zone(danish);
  CHECK(z.has_dst());
  // 2014: summer time from 2014-03-30T01:00Z to 2014-10-26T01:00Z.
  CHECK(z.offset_at(at("2014-01-15T12:00:00Z")) == hour_s);
  CHECK(z.offset_at(at("2014-03-30T00:59:59.999Z")) == hour_s);
  CHECK(z.offset_at(at("2014-03-30T01:00:00Z")) == 2 * hour_s);
  CHECK(z.offset_at(at("2014-07-01T12:00:00Z")) == 2 * hour_s);
  CHECK(z.offset_at(at("2014-10-26T00:59:59.999Z")) == 2 * hour_s);
  CHECK(z.offset_at(at("2014-10-26T01:00:00Z")) == hour_s);
  CHECK(z.offset_at(at("2014-12-31T23:30:00Z")) == hour_s);
  // Other years keep the rule: 2016's last Sunday of March is the 27th.
  CHECK(z.offset_at(at("2016-03-27T00:59:00Z")) == hour_s);
  CHECK(z.offset_at(at("2016-03-27T01:00:00Z")) == 2 * hour_s);
}

TEST_CASE("local times around the changes convert by the documented choice",
          "[adapters][replay]") {
  auto z = zone(danish);
  // Autumn: before 03:00 local, +02:00 (02:00-02:59 happen twice and are
  // read as their first, summer-time occurrence); from 03:00, +01:00.
  CHECK(z.to_utc(wall("2014-10-26T01:59:00")) == at("2014-10-26T01:59:00+02:00"));
  CHECK(z.to_utc(wall("2014-10-26T02:28:41.664"))
        == at("2014-10-26T02:28:41.664+02:00"));
  CHECK(z.to_utc(wall("2014-10-26T02:59:59")) == at("2014-10-26T02:59:59+02:00"));
  CHECK(z.to_utc(wall("2014-10-26T03:00:00")) == at("2014-10-26T03:00:00+01:00"));
  CHECK(z.to_utc(wall("2014-10-26T03:28:41")) == at("2014-10-26T03:28:41+01:00"));
  // Spring: 02:00-02:59 do not exist and move forward by the hour.
  CHECK(z.to_utc(wall("2014-03-30T01:59:00")) == at("2014-03-30T01:59:00+01:00"));
  CHECK(z.to_utc(wall("2014-03-30T02:30:00")) == at("2014-03-30T03:30:00+02:00"));
  CHECK(z.to_utc(wall("2014-03-30T03:00:00")) == at("2014-03-30T03:00:00+02:00"));
  // Ordinary days.
  CHECK(z.to_utc(wall("2014-08-01T12:00:00")) == at("2014-08-01T10:00:00Z"));
  CHECK(z.to_utc(wall("2014-11-04T12:00:00")) == at("2014-11-04T11:00:00Z"));
}

TEST_CASE("other rule forms and hemispheres", "[adapters][replay]") {
  // US Eastern: second Sunday in March, first Sunday in November, 02:00.
  auto us = zone("EST5EDT,M3.2.0,M11.1.0");
  CHECK(us.offset_at(at("2014-03-09T06:59:00Z")) == -5 * hour_s);
  CHECK(us.offset_at(at("2014-03-09T07:00:00Z")) == -4 * hour_s);
  CHECK(us.offset_at(at("2014-11-02T05:59:00Z")) == -4 * hour_s);
  CHECK(us.offset_at(at("2014-11-02T06:00:00Z")) == -5 * hour_s);
  // Sydney: summer time spans the new year, with an explicit DST offset.
  auto sydney = zone("AEST-10AEDT-11,M10.1.0,M4.1.0/3");
  CHECK(sydney.offset_at(at("2014-01-01T00:00:00Z")) == 11 * hour_s);
  CHECK(sydney.offset_at(at("2014-04-05T15:59:00Z")) == 11 * hour_s);
  CHECK(sydney.offset_at(at("2014-04-05T16:00:00Z")) == 10 * hour_s);
  CHECK(sydney.offset_at(at("2014-07-01T00:00:00Z")) == 10 * hour_s);
  CHECK(sydney.offset_at(at("2014-10-04T16:00:00Z")) == 11 * hour_s);
  // Jn never counts February 29 (J60 is March 1); n does (59 is Feb 29
  // in a leap year).
  auto julian = zone("AAA0BBB,J60/0,J61/0");
  CHECK(julian.offset_at(at("2016-02-29T12:00:00Z")) == 0);
  CHECK(julian.offset_at(at("2016-03-01T12:00:00Z")) == hour_s);
  auto zero_based = zone("AAA0BBB,59/0,60/0");
  CHECK(zero_based.offset_at(at("2016-02-29T12:00:00Z")) == hour_s);
  CHECK(zero_based.offset_at(at("2015-03-01T12:00:00Z")) == hour_s);
  // A rule time beyond 24 h (RFC 8536): the day after the last Saturday.
  auto late = zone("AAA0BBB,M3.5.6/26,M10.5.6/25");
  CHECK(late.offset_at(at("2014-03-30T01:59:00Z")) == 0);
  CHECK(late.offset_at(at("2014-03-30T02:00:00Z")) == hour_s);
}

TEST_CASE("bad zones are refused with a reason", "[adapters][replay]") {
  for (auto text : {"", "CEST", "CET-1CEST", "CET-1CEST,M3.5.0",
                    "CET-1CEST,M13.1.0,M10.5.0", "CET-1CEST,M3.6.0,M10.5.0",
                    "CET-1CEST,M3.5.7,M10.5.0", "CET-1CEST,J0,J100",
                    "CET-1CEST,M3.5.0,M10.5.0/200", "CET-25",
                    "Europe/Copenhagen", ":Europe/Berlin", "CE-1",
                    "CET-1CEST,M3.5.0,M10.5.0x"}) {
    INFO(text);
    auto z = time_zone::parse(text);
    CHECK_FALSE(z);
    if (!z)
      CHECK(twin::describe(z.error()).find("zone") != std::string::npos);
  }
}

TEST_CASE("dataset times without zone follow the rule", "[adapters][replay]") {
  auto z = zone(danish);
  CHECK(replay::parse_local_time("2014-10-26 03:28:41.678", z)
        == at("2014-10-26T03:28:41.678+01:00"));
  CHECK(replay::parse_local_time("2014-10-26 01:58:41.665", z)
        == at("2014-10-26T01:58:41.665+02:00"));
  // A time with its own zone keeps it.
  CHECK(replay::parse_local_time("2014-10-26T03:28:41Z", z)
        == at("2014-10-26T03:28:41Z"));
  CHECK_FALSE(replay::parse_local_time("2014-10-26", z));
}
