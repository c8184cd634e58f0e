// tests/twin/rules/duration.cpp: durations as rule files write them.
#include "twin/rules/duration.hpp"

#include <catch2/catch.hpp>

#include <limits>

using namespace citytwin;
using rules::format_duration;
using rules::parse_duration;

namespace {

constexpr twin::time_ms second = 1000;
constexpr twin::time_ms minute = 60 * second;
constexpr twin::time_ms hour = 60 * minute;
constexpr twin::time_ms day = 24 * hour;

} // namespace

TEST_CASE("durations parse in every unit and in compounds", "[rules][twin]") {
  CHECK(parse_duration("250ms") == 250);
  CHECK(parse_duration("90s") == 90 * second);
  CHECK(parse_duration("5m") == 5 * minute);
  CHECK(parse_duration("15m") == 15 * minute);
  CHECK(parse_duration("1h") == hour);
  CHECK(parse_duration("1h30m") == hour + 30 * minute);
  CHECK(parse_duration("2d") == 2 * day);
  // Every unit once, largest first: 1 d 2 h 3 min 4 s 5 ms.
  CHECK(parse_duration("1d2h3m4s5ms")
        == day + 2 * hour + 3 * minute + 4 * second + 5);
  // `ms` is milliseconds, not minutes followed by an `s`; after minutes,
  // milliseconds may still follow.
  CHECK(parse_duration("5ms") == 5);
  CHECK(parse_duration("1m5ms") == minute + 5);
  // Counts need not be normalised: 90 minutes is 1 h 30 min.
  CHECK(parse_duration("90m") == parse_duration("1h30m"));
  // The limit, 366 days, is included; one millisecond more is not.
  CHECK(parse_duration("366d") == rules::max_duration_ms);
  CHECK(parse_duration("365d23h59m59s1000ms") == rules::max_duration_ms);
  CHECK_FALSE(parse_duration("366d1ms"));
}

TEST_CASE("malformed durations are refused", "[rules][twin]") {
  for (auto text : {
           "",                         // nothing
           "5",                        // no unit
           "m",                        // no count
           "-5m",                      // sign
           "+5m",                      // sign
           "1.5h",                     // fraction
           "5m1h",                     // units out of order
           "1h1h",                     // a unit twice
           "999d",                     // beyond 366 days
           "367d",                     // beyond 366 days
           "0s",                       // zero
           "1h0m",                     // a zero part
           "5 m",                      // blank
           " 5m",                      // blank
           "5m ",                      // blank
           "5M",                       // units are lower case
           "5min",                     // unknown unit
           "5mm",                      // trailing garbage
           "1h30",                     // count without unit
           "99999999999999999999999s", // overflows 64 bits
       }) {
    INFO("'" << text << "'");
    CHECK_FALSE(parse_duration(text));
  }
}

TEST_CASE("durations format with the largest units first", "[rules][twin]") {
  CHECK(format_duration(15 * minute) == "15m");
  CHECK(format_duration(hour + 30 * minute) == "1h30m");
  CHECK(format_duration(250) == "250ms");
  CHECK(format_duration(90 * second) == "1m30s");
  CHECK(format_duration(2 * day) == "2d");
  CHECK(format_duration(day + 5) == "1d5ms");
  CHECK(format_duration(0) == "0ms");
  CHECK(format_duration(-5 * second) == "-5s");
  // The most negative value has no positive twin in int64; it must not
  // overflow: 2^63 ms is 106751991167 d 7 h 12 min 55 s 808 ms.
  CHECK(format_duration(std::numeric_limits<twin::time_ms>::min())
        == "-106751991167d7h12m55s808ms");
  // What format_duration writes, parse_duration reads back.
  for (twin::time_ms ms :
       {twin::time_ms{1}, 999 * second + 1, 3 * hour,
        day + hour + minute + second + 1, rules::max_duration_ms}) {
    INFO(ms);
    CHECK(parse_duration(format_duration(ms)) == ms);
  }
}
