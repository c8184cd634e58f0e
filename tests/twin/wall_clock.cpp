// tests/twin/wall_clock.cpp
#include "twin/wall_clock.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

using namespace citytwin::twin;

namespace {

time_ms system_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// 2014-08-01T00:00:00Z.
constexpr time_ms aug1 = 1'406'851'200'000;

} // namespace

TEST_CASE("without a test clock, now_ms is the system clock", "[twin]") {
  auto before = system_ms();
  auto now = now_ms();
  auto after = system_ms();
  CHECK(before <= now);
  CHECK(now <= after);
  CHECK(wall_clock{}.now_ms() >= now);
}

TEST_CASE("a manual clock stands still until moved", "[twin]") {
  manual_clock clock{aug1};
  scoped_wall_clock use{clock};
  CHECK(now_ms() == aug1);
  CHECK(now_ms() == aug1);
  CHECK(iso_now() == "2014-08-01T00:00:00.000Z");
  clock.advance(1'500);
  CHECK(now_ms() == aug1 + 1'500);
  CHECK(iso_now() == "2014-08-01T00:00:01.500Z");
  // A clock may step back (NTP corrections): readers must cope.
  clock.set(aug1 - 1);
  CHECK(iso_now() == "2014-07-31T23:59:59.999Z");
}

TEST_CASE("scoped clocks nest and restore the clock before", "[twin]") {
  manual_clock outer{aug1};
  manual_clock inner{0};
  {
    scoped_wall_clock use_outer{outer};
    {
      scoped_wall_clock use_inner{inner};
      CHECK(now_ms() == 0);
    }
    CHECK(now_ms() == aug1);
  }
  // The system clock again: no earlier than when this test started
  // reading it, i.e. nowhere near 2014.
  CHECK(now_ms() > aug1 + 365 * 86'400'000LL);
}

TEST_CASE("set_wall_clock_for_tests returns the clock it replaces", "[twin]") {
  manual_clock clock{42};
  CHECK(set_wall_clock_for_tests(&clock) == nullptr);
  CHECK(now_ms() == 42);
  CHECK(set_wall_clock_for_tests(nullptr) == &clock);
  CHECK(now_ms() != 42);
}

TEST_CASE("other threads see a manual clock move", "[twin]") {
  manual_clock clock{aug1};
  scoped_wall_clock use{clock};
  clock.advance(250);
  time_ms seen = 0;
  std::thread reader{[&seen] { seen = now_ms(); }};
  reader.join();
  CHECK(seen == aug1 + 250);
}
