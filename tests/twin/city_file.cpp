// tests/twin/city_file.cpp: loading, validation and round trips.
#include "twin/city_file.hpp"

#include "test_data.hpp"
#include "twin/error.hpp"

#include <catch2/catch.hpp>

#include <sstream>

using namespace citytwin::twin;

namespace {

const char* valid_city = R"(citytwin-city 1
# a tiny town
city name=tiny lon=10.0 lat=56.0 utc_offset_min=60
intersection 0 lon=10.0 lat=56.0 phases=2
intersection 1 lon=10.001 lat=56.0
road_segment 0 from=0 to=1 length=62.3 lanes=2 speed=50 capacity=1800 name=Main%20St
road_segment 1 from=1 to=0 length=62.3 shape=10.0005,56.0001
street_lamp 0 segment=0 lon=10.0003 lat=56.0 rating=60
waste_bin 4 segment=1 lon=10.0004 lat=56.0 rating=240
parking_sensor 0 segment=1 lon=10.0004 lat=56.0 rating=25
air_quality 9 segment=0 lon=10.0004 lat=56.0
)";

caf::expected<city> read(const std::string& text) {
  std::istringstream in{text};
  return read_city(in, "test.city");
}

// The error report of a city that must not load.
std::string problems_of(const std::string& text) {
  auto result = read(text);
  REQUIRE_FALSE(result);
  CHECK(static_cast<errc>(result.error().code()) == errc::invalid_city);
  return describe(result.error());
}

std::string with_line(const std::string& extra) {
  return std::string{valid_city} + extra + "\n";
}

} // namespace

TEST_CASE("a valid city file loads completely", "[twin]") {
  auto c = read(valid_city);
  REQUIRE(c);
  CHECK(c->name == "tiny");
  CHECK(c->utc_offset_min == 60);
  CHECK(c->roads.num_intersections() == 2);
  CHECK(c->roads.num_segments() == 2);
  CHECK(c->roads.find_intersection(0)->num_phases == 2);
  CHECK(c->roads.find_segment(0)->name == "Main St");
  CHECK(c->roads.find_segment(0)->capacity_veh_h == 1800);
  // Defaults: one lane of 900 veh/h at 50 km/h.
  CHECK(c->roads.find_segment(1)->capacity_veh_h == 900);
  CHECK(c->roads.find_segment(1)->shape.size() == 1);
  CHECK(c->things.size() == 4);
  CHECK(c->count(entity_kind::waste_bin) == 1);
  CHECK(c->num_entities() == 8);
}

TEST_CASE("writing and reading a city is lossless", "[twin]") {
  auto c = read(valid_city);
  REQUIRE(c);
  std::ostringstream first;
  write_city(first, *c);
  auto again = read(first.str());
  REQUIRE(again);
  std::ostringstream second;
  write_city(second, *again);
  CHECK(first.str() == second.str());
}

TEST_CASE("CRLF line endings and blank lines are accepted", "[twin]") {
  std::string text = valid_city;
  std::string crlf;
  for (char ch : text)
    crlf += ch == '\n' ? std::string{"\r\n\r\n"} : std::string(1, ch);
  CHECK(read(crlf));
}

TEST_CASE("every problem is reported at once with its line", "[twin]") {
  auto report = problems_of(with_line("road_segment 7 from=0 to=5 length=10\n"
                                      "road_segment 8 from=0 to=1 length=-3\n"
                                      "spaceship 1 segment=0 lon=1 lat=1\n"
                                      "street_lamp 1 segment=77 lon=10 lat=56"));
  CHECK_THAT(report, Catch::Contains("4 problem(s) in test.city"));
  CHECK_THAT(report, Catch::Contains(
                       "test.city:12: road_segment 7: intersection 5 does "
                       "not exist"));
  CHECK_THAT(report, Catch::Contains(
                       "test.city:13: road_segment 8: length must be "
                       "positive, got -3"));
  CHECK_THAT(report,
             Catch::Contains("test.city:14: unknown entity kind 'spaceship'"));
  CHECK_THAT(report, Catch::Contains("test.city:15: street_lamp 1: "
                                     "road_segment 77 does not exist"));
}

TEST_CASE("malformed records name field and line", "[twin]") {
  CHECK_THAT(problems_of(with_line("intersection 5 lon=abc lat=56")),
             Catch::Contains("test.city:12: intersection 5: field 'lon' is "
                             "not a valid number: 'abc'"));
  CHECK_THAT(problems_of(with_line("intersection 5 lon=10 lat=56 color=red")),
             Catch::Contains("unknown field 'color'"));
  CHECK_THAT(problems_of(with_line("intersection 5 lat=56")),
             Catch::Contains("missing field 'lon'"));
  CHECK_THAT(problems_of(with_line("intersection 1 lon=10 lat=56")),
             Catch::Contains("intersection 1: number already used on line 5"));
  CHECK_THAT(problems_of(with_line("intersection 6 lon=10 lat=95")),
             Catch::Contains("is not a WGS84 coordinate"));
  CHECK_THAT(problems_of(with_line("road_segment 9 from=0 to=1 length=nan")),
             Catch::Contains("field 'length' is not a valid number"));
  CHECK_THAT(problems_of(with_line("road_segment 9 from=0 to=1 length=5 "
                                   "lanes=0")),
             Catch::Contains("lanes must be 1..16"));
  CHECK_THAT(problems_of(with_line("parking_sensor 3 segment=0 lon=10 lat=56 "
                                   "rating=2.5")),
             Catch::Contains("whole number"));
  CHECK_THAT(problems_of(with_line("street_lamp")),
             Catch::Contains("expected an entity number"));
}

TEST_CASE("headers and the city record are checked", "[twin]") {
  CHECK_THAT(problems_of(""), Catch::Contains("file is empty"));
  CHECK_THAT(problems_of("citytwin-city 2\ncity name=x lon=1 lat=1\n"),
             Catch::Contains("unsupported city file version '2'"));
  CHECK_THAT(problems_of("hello world\n"),
             Catch::Contains("not a citytwin city file"));
  CHECK_THAT(problems_of("citytwin-city 1\nintersection 0 lon=1 lat=1\n"),
             Catch::Contains("no 'city' record"));
  CHECK_THAT(problems_of(with_line("city name=b lon=1 lat=1")),
             Catch::Contains("a second 'city' record"));
  CHECK_THAT(problems_of("citytwin-city 1\ncity name=a/b lon=1 lat=1\n"),
             Catch::Contains("must be letters, digits"));
}

TEST_CASE("a missing file is an I/O error", "[twin]") {
  auto c = load_city("/nonexistent/city.file");
  REQUIRE_FALSE(c);
  CHECK(static_cast<errc>(c.error().code()) == errc::io_failure);
}

TEST_CASE("the demo city in data/ loads and is connected", "[twin]") {
  auto c = load_city(citytwin::test::project_data_dir() + "/demo.city");
  REQUIRE(c);
  CHECK(c->name == "demo");
  // The issue asks for ~2,000 segments, 5,000 lamps, 500 bins, 300 sensors.
  CHECK(c->roads.num_segments() == Approx(2000).epsilon(0.05));
  CHECK(c->count(entity_kind::street_lamp) == 5000);
  CHECK(c->count(entity_kind::waste_bin) == 500);
  auto sensors = c->things.size() - 5000 - 500;
  CHECK(sensors == 300);
  auto first = c->roads.intersections().front()->number;
  CHECK(c->roads.num_reachable(first) == c->roads.num_intersections());
}
