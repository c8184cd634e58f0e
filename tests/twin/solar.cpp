// tests/twin/solar.cpp
#include "twin/solar.hpp"

#include <catch2/catch.hpp>

using namespace citytwin::twin;

TEST_CASE("the sun is high at noon in June and down at midnight", "[twin]") {
  geo_point aarhus{10.2, 56.16};
  // 2024-06-21 11:20 UTC is about solar noon in Aarhus: the elevation is
  // 90 - 56.16 + 23.44 = 57.3 degrees.
  time_ms noon = 1'718'968'800'000;
  CHECK(sun_elevation_deg(aarhus, noon) == Approx(57.3).margin(0.5));
  // Midnight in December: deep below the horizon (-90 + 56.16 + 23.44).
  time_ms midnight = 1'734'824'400'000; // 2024-12-21 23:40 UTC
  CHECK(sun_elevation_deg(aarhus, midnight) == Approx(-57.3).margin(0.7));
}
