// tests/twin/broker/geo_shape.cpp
#include "twin/broker/geo_shape.hpp"
#include "twin/error.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <limits>
#include <string>

using citytwin::broker::geometry_type;
using citytwin::broker::parse_geo_shape;
using citytwin::broker::parse_geometry_type;
using json = nlohmann::json;

namespace {

/// "parsed", or the rendered error of reading `coordinates` as `type`.
std::string check(geometry_type type, const char* coordinates) {
  auto shape = parse_geo_shape(type, json::parse(coordinates));
  return shape ? std::string{"parsed"}
               : citytwin::twin::describe(shape.error());
}

} // namespace

TEST_CASE("the six GeoJSON geometry types parse into flat shapes",
          "[broker][geo]") {
  for (auto name : {"Point", "MultiPoint", "LineString", "MultiLineString",
                    "Polygon", "MultiPolygon"}) {
    auto type = parse_geometry_type(name);
    REQUIRE(type);
    CHECK(std::string{to_string(*type)} == name);
  }
  auto point
      = parse_geo_shape(geometry_type::point, json::parse("[4.35,50.85,12]"));
  REQUIRE(point);
  // The altitude is dropped; longitude comes first.
  REQUIRE(point->points.size() == 1);
  CHECK(point->points[0].lon == 4.35);
  CHECK(point->points[0].lat == 50.85);
  auto multi = parse_geo_shape(json::parse(
      R"({"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],)"
      R"([[[2,2],[3,2],[3,3],[2,2]],)"
      R"([[2.6,2.1],[2.9,2.1],[2.9,2.4],[2.6,2.1]]]]})"));
  REQUIRE(multi);
  CHECK(multi->type == geometry_type::multi_polygon);
  REQUIRE(multi->polygons.size() == 2);
  CHECK(multi->polygons[1].size() == 2); // outer ring and one hole
  CHECK(multi->points.empty());
  CHECK(multi->lines.empty());
}

TEST_CASE("coordinates of the wrong shape or range are rejected",
          "[broker][geo]") {
  using Catch::Matchers::Equals;
  using t = geometry_type;
  auto prefix = std::string{"malformed_payload: coordinates: "};
  CHECK(check(t::point, "[-180,-90]") == "parsed");
  CHECK(check(t::point, "[180,90]") == "parsed");
  CHECK_THAT(check(t::point, "[180.5,0]"),
             Equals(prefix + "longitude 180.5 outside [-180,180]"));
  CHECK_THAT(check(t::point, "[0,-91]"),
             Equals(prefix + "latitude -91 outside [-90,90]"));
  CHECK_THAT(check(t::point, "[1]"),
             Equals(prefix
                    + "a position must be [longitude, latitude], got "
                      "[1]"));
  CHECK_THAT(check(t::point, "[1,2,3,4]"),
             Equals(prefix
                    + "a position must be [longitude, latitude], got "
                      "[1,2,3,4]"));
  CHECK_THAT(check(t::point, R"(["1","2"])"),
             Equals(prefix + R"(a position must hold numbers, got ["1","2"])"));
  CHECK_THAT(check(t::point, "{}"),
             Equals(prefix
                    + "a position must be [longitude, latitude], got "
                      "{}"));
  CHECK_THAT(check(t::multi_point, "[]"),
             Equals(prefix + "a MultiPoint needs a non-empty array"));
  CHECK_THAT(check(t::multi_point, "[1,2]"),
             Equals(prefix
                    + "a position must be [longitude, latitude], got "
                      "1"));
  CHECK_THAT(check(t::line_string, "[[1,2]]"),
             Equals(prefix
                    + "a LineString needs an array of at least 2 "
                      "positions"));
  // A LineString's nesting given for a MultiLineString.
  CHECK_THAT(check(t::multi_line_string, "[[1,2],[3,4]]"),
             Equals(prefix
                    + "a position must be [longitude, latitude], got "
                      "1"));
  CHECK_THAT(check(t::multi_line_string, "[[[1,2]]]"),
             Equals(prefix
                    + "a LineString needs an array of at least 2 "
                      "positions"));
  CHECK_THAT(check(t::polygon, "[]"),
             Equals(prefix + "a polygon needs an array of at least one ring"));
  CHECK_THAT(check(t::polygon, "[[[0,0],[1,0],[0,0]]]"),
             Equals(prefix
                    + "a polygon ring needs an array of at least 4 "
                      "positions"));
  CHECK_THAT(check(t::polygon, "[[[0,0],[1,0],[1,1],[0,1]]]"),
             Equals(prefix + "a polygon ring must end where it starts"));
  CHECK_THAT(check(t::polygon, "[[0,0],[1,0],[1,1],[0,0]]"),
             Equals(prefix
                    + "a polygon ring needs an array of at least 4 "
                      "positions"));
  CHECK_THAT(check(t::multi_polygon, "[[[0,0],[1,0],[1,1],[0,0]]]"),
             Equals(prefix
                    + "a polygon ring needs an array of at least 4 "
                      "positions"));
  // A long bad value is cut short in the message.
  std::string longer = "[[" + std::string(100, '1') + ",0]]";
  CHECK(check(t::point, longer.c_str()).size() < 150);
}

TEST_CASE("GeoJSON objects need a known type and coordinates",
          "[broker][geo]") {
  auto e = [](const char* doc) {
    auto shape = parse_geo_shape(json::parse(doc));
    return shape ? std::string{"parsed"}
                 : citytwin::twin::describe(shape.error());
  };
  CHECK(e(R"({"type":"Point","coordinates":[1,2]})") == "parsed");
  CHECK(e("[1,2]") == "malformed_payload: geometry: not a GeoJSON object");
  CHECK(e(R"({"coordinates":[1,2]})")
        == "malformed_payload: geometry: missing type");
  CHECK(e(R"({"type":"Point"})") == "malformed_payload: coordinates: missing");
  CHECK(e(R"({"type":"GeometryCollection","coordinates":[]})")
            .starts_with("malformed_payload: geometry: unknown type "
                         "'GeometryCollection'"));
}

TEST_CASE("geometry must be valid as OGC simple features", "[broker][geo]") {
  using Catch::Matchers::Equals;
  using t = geometry_type;
  auto prefix = std::string{"malformed_payload: coordinates: "};
  // Rings may run either way round (RFC 7946 section 3.1.6).
  CHECK(check(t::polygon, "[[[0,0],[1,0],[1,1],[0,1],[0,0]]]") == "parsed");
  CHECK(check(t::polygon, "[[[0,0],[0,1],[1,1],[1,0],[0,0]]]") == "parsed");
  // A hole touching its ring at one point, a repeated position and a
  // LineString crossing itself are all valid.
  CHECK(check(t::polygon, "[[[0,0],[4,0],[4,4],[0,4],[0,0]],"
                          "[[0,0],[1,2],[2,1],[0,0]]]")
        == "parsed");
  CHECK(check(t::polygon, "[[[0,0],[1,0],[1,0],[1,1],[0,0]]]") == "parsed");
  CHECK(check(t::line_string, "[[0,0],[2,2],[0,2],[2,0]]") == "parsed");
  // Self-intersections: a bow tie whose edges cross at [1.2,1.2]; a figure
  // 8 of equal lobes (zero area); a hole across its outer ring, crossing it
  // at [0,2] first; two parts of a MultiPolygon sharing an edge.
  CHECK_THAT(check(t::polygon, "[[[0,0],[3,3],[3,0],[0,2],[0,0]]]"),
             Equals(prefix
                    + "self-intersecting Polygon: rings cross or share an "
                      "edge near [1.2,1.2]"));
  CHECK_THAT(check(t::polygon, "[[[0,0],[1,1],[1,0],[0,1],[0,0]]]"),
             Equals(prefix
                    + "self-intersecting Polygon: a ring crosses "
                      "itself"));
  CHECK_THAT(check(t::polygon, "[[[0,0],[4,0],[4,4],[0,4],[0,0]],"
                               "[[-1,2],[5,2],[5,3],[-1,3],[-1,2]]]"),
             Equals(prefix
                    + "self-intersecting Polygon: rings cross or share an "
                      "edge near [0,2]"));
  CHECK_THAT(check(t::multi_polygon, "[[[[0,0],[2,0],[2,2],[0,2],[0,0]]],"
                                     "[[[2,0],[3,0],[3,2],[2,2],[2,0]]]]"),
             Equals(prefix
                    + "self-intersecting MultiPolygon: rings cross or share "
                      "an edge near [2,2]"));
  // Holes and parts in the wrong places.
  CHECK_THAT(check(t::polygon, "[[[0,0],[4,0],[4,4],[0,4],[0,0]],"
                               "[[5,5],[6,5],[6,6],[5,5]]]"),
             Equals(prefix + "a polygon hole lies outside its outer ring"));
  CHECK_THAT(check(t::polygon, "[[[0,0],[4,0],[4,4],[0,4],[0,0]],"
                               "[[1,1],[3,1],[3,3],[1,3],[1,1]],"
                               "[[1.5,1.5],[2,1.5],[2,2],[1.5,1.5]]]"),
             Equals(prefix + "a polygon hole lies inside another hole"));
  CHECK_THAT(check(t::multi_polygon, "[[[[0,0],[2,0],[2,2],[0,2],[0,0]]],"
                                     "[[[1,1],[3,1],[3,3],[1,3],[1,1]]]]"),
             Equals(prefix
                    + "self-intersecting MultiPolygon: rings cross or share "
                      "an edge near [1,2]"));
  // Degenerate shapes.
  CHECK_THAT(check(t::polygon, "[[[0,0],[1,0],[2,0],[0,0]]]"),
             Equals(prefix
                    + "a polygon ring has a spike (an edge that turns "
                      "straight back)"));
  CHECK_THAT(check(t::polygon, "[[[0,0],[1,0],[0,0],[0,0]]]"),
             Equals(prefix + "a polygon ring has zero area"));
  CHECK_THAT(check(t::line_string, "[[1,2],[1,2]]"),
             Equals(prefix + "a LineString has zero length"));
  CHECK_THAT(check(t::multi_line_string, "[[[0,0],[1,1]],[[1,2],[1,2]]]"),
             Equals(prefix + "a LineString has zero length"));
  // NaN and infinity exist only in documents built in code.
  auto nan = std::numeric_limits<double>::quiet_NaN();
  auto inf = std::numeric_limits<double>::infinity();
  auto built = [](json coordinates) {
    auto shape = parse_geo_shape(geometry_type::line_string, coordinates);
    return shape ? std::string{"parsed"}
                 : citytwin::twin::describe(shape.error());
  };
  CHECK_THAT(built(json{{0, 0}, {nan, 1}}),
             Equals(prefix + "longitude is not a finite number"));
  CHECK_THAT(built(json{{0, 0}, {1, inf}}),
             Equals(prefix + "latitude is not a finite number"));
  CHECK_THAT(built(json{{0, 0}, {1, 1, -inf}}),
             Equals(prefix + "altitude is not a finite number"));
}

TEST_CASE("bounds spans every position of a shape", "[broker][geo]") {
  auto shape = parse_geo_shape(json::parse(
      R"({"type":"MultiLineString","coordinates":[[[4.34,50.86],[4.35,50.85]],)"
      R"([[4.36,50.84],[4.355,50.845]]]})"));
  REQUIRE(shape);
  auto b = bounds(*shape);
  CHECK(b.min_lon == 4.34);
  CHECK(b.min_lat == 50.84);
  CHECK(b.max_lon == 4.36);
  CHECK(b.max_lat == 50.86);
  // Plain lon/lat: a shape across the antimeridian must be split (RFC 7946
  // section 3.1.9), unsplit it spans the other way round.
  auto wide = parse_geo_shape(json::parse(
      R"({"type":"LineString","coordinates":[[179.9,0],[-179.9,0]]})"));
  REQUIRE(wide);
  CHECK(bounds(*wide).min_lon == -179.9);
  CHECK(bounds(*wide).max_lon == 179.9);
  auto empty = bounds(citytwin::broker::geo_shape{});
  CHECK(empty.min_lon == 0);
  CHECK(empty.max_lat == 0);
}
