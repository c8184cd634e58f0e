// tests/twin/broker/geo_query.cpp
#include "twin/broker/geo_query.hpp"
#include "twin/error.hpp"
#include "twin/geo.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>
#include <numbers>
#include <string>

using citytwin::broker::geo_query;
using citytwin::broker::geo_relation;
using citytwin::broker::parse_geo_query;
using citytwin::twin::geo_point;
using json = nlohmann::json;

namespace {

/// An entity whose `location` (or `property`) is the GeoJSON `geometry`.
json entity(const std::string& geometry,
            const std::string& property = "location") {
  return {
      {"id", "urn:ngsi-ld:Thing:1"},
      {"type", "Thing"},
      {property, {{"type", "GeoProperty"}, {"value", json::parse(geometry)}}}};
}

json point_entity(geo_point p) {
  return entity(
      json{{"type", "Point"}, {"coordinates", {p.lon, p.lat}}}.dump());
}

/// Parses a query that must be valid.
geo_query query(std::string_view georel, std::string_view geometry,
                std::string_view coordinates, std::string_view prop = "") {
  auto result = parse_geo_query(georel, geometry, coordinates, prop);
  INFO(georel << " " << geometry << " " << coordinates << ": "
              << (result ? "" : citytwin::twin::describe(result.error())));
  REQUIRE(result);
  return std::move(*result);
}

/// The point `r` metres from `from` at `bearing` radians (0 north, pi/2
/// east) along a great circle, on twin::distance_m's sphere.
geo_point destination(geo_point from, double bearing, double r) {
  constexpr double deg = std::numbers::pi / 180;
  double d = r / 6371008.8;
  double lat1 = from.lat * deg;
  double lat2 = std::asin(std::sin(lat1) * std::cos(d)
                          + std::cos(lat1) * std::sin(d) * std::cos(bearing));
  double dlon = std::atan2(std::sin(bearing) * std::sin(d) * std::cos(lat1),
                           std::cos(d) - std::sin(lat1) * std::sin(lat2));
  return {from.lon + dlon / deg, lat2 / deg};
}

std::string coords(geo_point p) {
  return json{p.lon, p.lat}.dump();
}

/// A square around the Grand-Place in Brussels, about 1.4 km by 2.2 km.
constexpr auto square
    = "[[[4.34,50.84],[4.36,50.84],[4.36,50.86],[4.34,50.86],[4.34,50.84]]]";
/// The same square with a hole of about 700 m by 1.1 km in its middle.
constexpr auto square_with_hole
    = "[[[4.34,50.84],[4.36,50.84],[4.36,50.86],[4.34,50.86],[4.34,50.84]],"
      "[[4.345,50.845],[4.355,50.845],[4.355,50.855],[4.345,50.855],"
      "[4.345,50.845]]]";

} // namespace

TEST_CASE("the standards notes' near example matches within one metre",
          "[broker][geo]") {
  geo_point centre{24.30623, 60.07966};
  auto q = query("near;maxDistance==1", "Point", "[24.30623,60.07966]");
  CHECK(q.relation == geo_relation::near_max);
  CHECK(q.distance_m == 1);
  CHECK(q.geoproperty == "location");
  CHECK(q.matches(point_entity(centre)));
  // twin::offset moves by metres on the local flat approximation.
  CHECK(q.matches(point_entity(citytwin::twin::offset(centre, 0.6, 0))));
  CHECK(q.matches(point_entity(citytwin::twin::offset(centre, 0, -0.9))));
  CHECK_FALSE(q.matches(point_entity(citytwin::twin::offset(centre, 1.5, 0))));
  auto far = query("near;minDistance==1", "Point", "[24.30623,60.07966]");
  CHECK(far.relation == geo_relation::near_min);
  CHECK(far.matches(point_entity(citytwin::twin::offset(centre, 1.5, 0))));
  CHECK_FALSE(far.matches(point_entity(centre)));
}

TEST_CASE("near measures to the nearest point of lines and polygons",
          "[broker][geo]") {
  // An east-west street of about 700 m; the query point is 100 m north of
  // its middle, so the nearest point is the middle, 100 m away.
  auto street = entity(
      R"({"type":"LineString","coordinates":[[4.35,50.85],[4.36,50.85]]})");
  auto north = citytwin::twin::offset({4.355, 50.85}, 0, 100);
  CHECK(query("near;maxDistance==101", "Point", coords(north)).matches(street));
  CHECK_FALSE(
      query("near;maxDistance==99", "Point", coords(north)).matches(street));
  // Beyond the east end, the nearest point is the end itself: 200 m.
  auto east = citytwin::twin::offset({4.36, 50.85}, 200, 0);
  CHECK(query("near;maxDistance==201", "Point", coords(east)).matches(street));
  CHECK(query("near;minDistance==199", "Point", coords(east)).matches(street));
  // Inside a polygon the distance is 0; in its hole it is to the hole's edge
  // (the hole's west edge is 0.005 degrees, ~350 m, west of the centre).
  auto plaza = entity(R"({"type":"Polygon","coordinates":)"
                      + std::string{square} + "}");
  CHECK(query("near;maxDistance==0", "Point", "[4.35,50.85]").matches(plaza));
  CHECK_FALSE(
      query("near;minDistance==1", "Point", "[4.35,50.85]").matches(plaza));
  auto holed = entity(R"({"type":"Polygon","coordinates":)"
                      + std::string{square_with_hole} + "}");
  CHECK_FALSE(
      query("near;maxDistance==300", "Point", "[4.35,50.85]").matches(holed));
  CHECK(query("near;maxDistance==400", "Point", "[4.35,50.85]").matches(holed));
  // Several points: the nearest one counts.
  auto pair = entity(
      R"({"type":"MultiPoint","coordinates":[[4.0,50.0],[4.35,50.85]]})");
  CHECK(query("near;maxDistance==1", "Point", "[4.35,50.85]").matches(pair));
}

TEST_CASE("within tests points against polygons with holes", "[broker][geo]") {
  auto in_square = query("within", "Polygon", square);
  CHECK(in_square.matches(point_entity({4.35, 50.85})));
  // OGC within needs the interiors to meet: a point on the edge touches
  // the polygon (intersects) but is not within it.
  CHECK_FALSE(in_square.matches(point_entity({4.34, 50.85})));
  CHECK(query("intersects", "Polygon", square)
            .matches(point_entity({4.34, 50.85})));
  CHECK_FALSE(in_square.matches(point_entity({4.33, 50.85})));
  auto in_holed = query("within", "Polygon", square_with_hole);
  CHECK_FALSE(in_holed.matches(point_entity({4.35, 50.85})));
  CHECK(in_holed.matches(point_entity({4.342, 50.85})));
  // A MultiPolygon: inside the second part counts.
  auto two = query("within", "MultiPolygon",
                   "[[[[0,0],[1,0],[1,1],[0,1],[0,0]]]," + std::string{square}
                       + "]");
  CHECK(two.matches(point_entity({4.35, 50.85})));
  CHECK(two.matches(point_entity({0.5, 0.5})));
  CHECK_FALSE(two.matches(point_entity({2, 2})));
}

TEST_CASE("within tests lines and polygons by their vertices and edges",
          "[broker][geo]") {
  auto in_square = query("within", "Polygon", square);
  CHECK(in_square.matches(entity(
      R"({"type":"LineString","coordinates":[[4.345,50.85],[4.355,50.85]]})")));
  CHECK_FALSE(in_square.matches(entity(
      R"({"type":"LineString","coordinates":[[4.345,50.85],[4.37,50.85]]})")));
  CHECK(in_square.matches(entity(R"({"type":"Polygon","coordinates":)"
                                 + std::string{square} + "}")));
  // A U shape: both ends of the line lie in its arms, the middle crosses
  // the gap between them, so the line is not within.
  auto u_shape = query("within", "Polygon",
                       "[[[0,0],[3,0],[3,3],[2,3],[2,1],[1,1],[1,3],[0,3],"
                       "[0,0]]]");
  CHECK(u_shape.matches(
      entity(R"({"type":"LineString","coordinates":[[0.5,2],[0.5,0.5]]})")));
  CHECK_FALSE(u_shape.matches(
      entity(R"({"type":"LineString","coordinates":[[0.5,2],[2.5,2]]})")));
  // A polygon around the hole of the query polygon is not within it.
  auto in_holed = query("within", "Polygon", square_with_hole);
  CHECK_FALSE(in_holed.matches(entity(
      R"({"type":"Polygon","coordinates":[[[4.341,50.841],[4.359,50.841],)"
      R"([4.359,50.859],[4.341,50.859],[4.341,50.841]]]})")));
  // A line along the square's south edge lies on its boundary only: its
  // interior does not meet the square's, so it is not within (OGC).
  auto edge = entity(
      R"({"type":"LineString","coordinates":[[4.345,50.84],[4.355,50.84]]})");
  CHECK_FALSE(in_square.matches(edge));
  CHECK(query("intersects", "Polygon", square).matches(edge));
  // Nothing lies within a geometry of a lower dimension.
  CHECK_FALSE(query("within", "LineString", "[[4.33,50.85],[4.37,50.85]]")
                  .matches(entity(R"({"type":"Polygon","coordinates":)"
                                  + std::string{square} + "}")));
  CHECK(query("within", "LineString", "[[4.33,50.85],[4.37,50.85]]")
            .matches(point_entity({4.35, 50.85})));
  // Points within points: every point of the entity is a query point.
  CHECK(query("within", "MultiPoint", "[[1,1],[2,2]]")
            .matches(point_entity({2, 2})));
}

TEST_CASE("contains tests the entity polygon against the query geometry",
          "[broker][geo]") {
  auto district = entity(R"({"type":"Polygon","coordinates":)"
                         + std::string{square} + "}");
  CHECK(query("contains", "Point", "[4.35,50.85]").matches(district));
  CHECK_FALSE(query("contains", "Point", "[4.30,50.85]").matches(district));
  CHECK(query("contains", "LineString", "[[4.345,50.85],[4.355,50.85]]")
            .matches(district));
  CHECK_FALSE(query("contains", "LineString", "[[4.345,50.85],[4.38,50.85]]")
                  .matches(district));
  // A point contains nothing bigger than itself.
  CHECK_FALSE(query("contains", "Polygon", square)
                  .matches(point_entity({4.35, 50.85})));
  // A polygon does not contain a point of its boundary only (OGC: the
  // query's interior, here the point itself, must meet the entity's).
  CHECK_FALSE(query("contains", "Point", "[4.34,50.85]").matches(district));
  // The square contains itself, given from another vertex.
  CHECK(query("contains", "Polygon",
              "[[[4.36,50.86],[4.34,50.86],[4.34,50.84],[4.36,50.84],"
              "[4.36,50.86]]]")
            .matches(district));
}

TEST_CASE("intersects finds shared points of every geometry pair",
          "[broker][geo]") {
  auto street = entity(
      R"({"type":"LineString","coordinates":[[4.33,50.85],[4.345,50.85]]})");
  // The street crosses the square's west edge: no vertex inside needed.
  auto crossing = entity(
      R"({"type":"LineString","coordinates":[[4.33,50.85],[4.37,50.85]]})");
  auto q = query("intersects", "Polygon", square);
  CHECK(q.matches(street));
  CHECK(q.matches(crossing));
  CHECK(q.matches(point_entity({4.35, 50.85})));
  CHECK_FALSE(q.matches(point_entity({4.30, 50.85})));
  // Two lines forming an X share their crossing point.
  auto x = query("intersects", "LineString", "[[4.35,50.84],[4.35,50.86]]");
  CHECK(x.matches(crossing));
  CHECK_FALSE(x.matches(street));
  // A point on a line touches it; 0.5 m off it, it does not (OGC
  // predicates are exact), but near;maxDistance==1 finds it.
  CHECK(query("intersects", "Point", "[4.34,50.85]").matches(street));
  auto off_line = citytwin::twin::offset({4.34, 50.85}, 0, 0.5);
  CHECK_FALSE(query("intersects", "Point", coords(off_line)).matches(street));
  CHECK(
      query("near;maxDistance==1", "Point", coords(off_line)).matches(street));
  // A polygon inside the hole of another shares nothing with it.
  auto in_hole = entity(
      R"({"type":"Polygon","coordinates":[[[4.349,50.849],[4.351,50.849],)"
      R"([4.351,50.851],[4.349,50.851],[4.349,50.849]]]})");
  CHECK_FALSE(
      query("intersects", "Polygon", square_with_hole).matches(in_hole));
  CHECK(query("intersects", "Polygon", square).matches(in_hole));
  // MultiLineString and MultiPoint entities.
  CHECK(q.matches(entity(R"({"type":"MultiLineString","coordinates":)"
                         R"([[[0,0],[1,1]],[[4.35,50.83],[4.35,50.87]]]})")));
  CHECK(q.matches(
      entity(R"({"type":"MultiPoint","coordinates":[[0,0],[4.35,50.85]]})")));
}

TEST_CASE("disjoint is the negation of intersects", "[broker][geo]") {
  auto inner = entity(
      R"({"type":"LineString","coordinates":[[4.345,50.85],[4.355,50.85]]})");
  auto q = query("disjoint", "Polygon", square);
  CHECK(q.matches(point_entity({4.30, 50.85})));
  CHECK_FALSE(q.matches(inner));
  // A point on the boundary shares that point.
  CHECK_FALSE(q.matches(point_entity({4.34, 50.85})));
  // A polygon in the hole of another shares no point with it.
  CHECK(query("disjoint", "Polygon", square_with_hole)
            .matches(entity(R"({"type":"Polygon","coordinates":)"
                            R"([[[4.349,50.849],[4.351,50.849],[4.351,50.851],)"
                            R"([4.349,50.851],[4.349,50.849]]]})")));
}

TEST_CASE("overlaps needs the same dimension, as in OGC", "[broker][geo]") {
  auto q = query("overlaps", "Polygon", square);
  // A street across the square intersects it but does not overlap it: a
  // line and a polygon cross, only same-dimension geometries overlap.
  auto crossing = entity(
      R"({"type":"LineString","coordinates":[[4.33,50.85],[4.37,50.85]]})");
  CHECK(query("intersects", "Polygon", square).matches(crossing));
  CHECK_FALSE(q.matches(crossing));
  CHECK_FALSE(q.matches(point_entity({4.35, 50.85})));
  // A polygon sticking out of the square overlaps it; one inside it or the
  // square itself does not, nor one that only shares an edge.
  auto east_half_out = entity(
      R"({"type":"Polygon","coordinates":[[[4.35,50.845],[4.37,50.845],)"
      R"([4.37,50.855],[4.35,50.855],[4.35,50.845]]]})");
  CHECK(q.matches(east_half_out));
  CHECK_FALSE(q.matches(entity(
      R"({"type":"Polygon","coordinates":[[[4.345,50.845],[4.355,50.845],)"
      R"([4.355,50.855],[4.345,50.855],[4.345,50.845]]]})")));
  CHECK_FALSE(q.matches(entity(R"({"type":"Polygon","coordinates":)"
                               + std::string{square} + "}")));
  CHECK_FALSE(q.matches(
      entity(R"({"type":"Polygon","coordinates":[[[4.36,50.84],[4.38,50.84],)"
             R"([4.38,50.86],[4.36,50.86],[4.36,50.84]]]})")));
  // Two lines overlap where they share a stretch, not where they cross.
  auto street = query("overlaps", "LineString", "[[4.34,50.85],[4.36,50.85]]");
  CHECK(street.matches(entity(
      R"({"type":"LineString","coordinates":[[4.35,50.85],[4.37,50.85]]})")));
  CHECK_FALSE(street.matches(entity(
      R"({"type":"LineString","coordinates":[[4.35,50.84],[4.35,50.86]]})")));
  // Point sets overlap when they share a point and each has another.
  auto two = query("overlaps", "MultiPoint", "[[1,1],[2,2]]");
  CHECK(two.matches(
      entity(R"({"type":"MultiPoint","coordinates":[[2,2],[3,3]]})")));
  CHECK_FALSE(two.matches(point_entity({2, 2})));
}

TEST_CASE("equals compares point sets, as in OGC", "[broker][geo]") {
  auto outside = point_entity({4.30, 50.85});
  CHECK(query("equals", "Point", "[4.30,50.85]").matches(outside));
  CHECK_FALSE(query("equals", "Point", "[4.30,50.86]").matches(outside));
  // A MultiPoint of that one point is the same point set.
  CHECK(query("equals", "MultiPoint", "[[4.30,50.85]]").matches(outside));
  CHECK_FALSE(
      query("equals", "MultiPoint", "[[4.30,50.85],[4,50]]").matches(outside));
  // A LineString and its reverse are the same set of points.
  auto inner = entity(
      R"({"type":"LineString","coordinates":[[4.345,50.85],[4.355,50.85]]})");
  CHECK(query("equals", "LineString", "[[4.345,50.85],[4.355,50.85]]")
            .matches(inner));
  CHECK(query("equals", "LineString", "[[4.355,50.85],[4.345,50.85]]")
            .matches(inner));
  CHECK(query("equals", "MultiLineString", "[[[4.355,50.85],[4.345,50.85]]]")
            .matches(inner));
  CHECK_FALSE(query("equals", "LineString", "[[4.345,50.85],[4.36,50.85]]")
                  .matches(inner));
  // The same ring from another vertex, and run the other way round.
  auto plaza = entity(R"({"type":"Polygon","coordinates":)"
                      + std::string{square} + "}");
  CHECK(query("equals", "Polygon",
              "[[[4.36,50.86],[4.34,50.86],[4.34,50.84],[4.36,50.84],"
              "[4.36,50.86]]]")
            .matches(plaza));
  CHECK(query("equals", "Polygon",
              "[[[4.34,50.84],[4.34,50.86],[4.36,50.86],[4.36,50.84],"
              "[4.34,50.84]]]")
            .matches(plaza));
  CHECK_FALSE(query("equals", "Polygon", square_with_hole).matches(plaza));
  // Geometries of different dimension are never equal.
  CHECK_FALSE(query("equals", "LineString",
                    "[[4.34,50.84],[4.36,50.84],[4.36,50.86],[4.34,50.86],"
                    "[4.34,50.84]]")
                  .matches(plaza));
}

TEST_CASE("entities without a usable geoproperty never match",
          "[broker][geo]") {
  auto q = query("disjoint", "Point", "[0,0]");
  CHECK_FALSE(q.matches(json{{"id", "urn:x"}, {"type", "T"}}));
  CHECK_FALSE(q.matches(json::array()));
  CHECK_FALSE(q.matches(entity(R"({"type":"Point","coordinates":[200,0]})")));
  CHECK_FALSE(q.matches(entity(R"({"type":"Circle","coordinates":[1,1]})")));
  CHECK_FALSE(
      q.matches(json{{"location", {{"type", "GeoProperty"}, {"value", 3}}}}));
  CHECK(q.matches(point_entity({1, 1})));
  // A default-constructed query has no geometry and matches nothing.
  CHECK_FALSE(geo_query{}.matches(point_entity({1, 1})));
}

TEST_CASE("geoproperty, instances and bare GeoJSON select the geometry",
          "[broker][geo]") {
  auto q = query("within", "Polygon", square, "observationSpace");
  CHECK(q.geoproperty == "observationSpace");
  auto inside = R"({"type":"Point","coordinates":[4.35,50.85]})";
  CHECK(q.matches(entity(inside, "observationSpace")));
  CHECK_FALSE(q.matches(entity(inside, "location")));
  // Two instances of location: the second one is inside.
  json twice = {{"location",
                 {{{"type", "GeoProperty"},
                   {"value", {{"type", "Point"}, {"coordinates", {0, 0}}}}},
                  {{"type", "GeoProperty"},
                   {"value", json::parse(inside)},
                   {"datasetId", "urn:ngsi-ld:Dataset:gps"}}}}};
  CHECK(query("within", "Polygon", square).matches(twice));
  CHECK(query("intersects", "Point", "[0,0]").matches(twice));
  json bare = {{"location", json::parse(inside)}};
  CHECK(query("within", "Polygon", square).matches(bare));
}

TEST_CASE("near works across the antimeridian", "[broker][geo]") {
  // 0.00002 degrees of longitude at the equator: about 2.2 m.
  auto q = query("near;maxDistance==3", "Point", "[179.99999,0]");
  CHECK(q.matches(point_entity({-179.99999, 0})));
  auto line = entity(R"({"type":"LineString","coordinates":)"
                     R"([[-179.99999,1],[-179.99999,-1]]})");
  CHECK(q.matches(line));
}

TEST_CASE("malformed georel values are rejected", "[broker][geo]") {
  using Catch::Matchers::Equals;
  auto e = [](std::string_view georel, std::string_view geometry = "Point") {
    auto q = parse_geo_query(georel, geometry, "[4.35,50.85]", "");
    return q ? std::string{"parsed"} : citytwin::twin::describe(q.error());
  };
  CHECK(e("near;maxDistance==0") == "parsed");
  CHECK(e("near;minDistance==2.5e3") == "parsed");
  CHECK_THAT(e(""), Equals("malformed_payload: georel: missing"));
  CHECK_THAT(e("nearby"),
             Equals("malformed_payload: georel: unknown relation 'nearby' "
                    "(expected near, within, contains, intersects, overlaps, "
                    "equals or disjoint)"));
  CHECK_THAT(e("near"), Equals("malformed_payload: georel: near needs "
                               "maxDistance==N or minDistance==N"));
  CHECK_THAT(e("near;"), Equals("malformed_payload: georel: near needs "
                                "maxDistance==N or minDistance==N"));
  // NGSIv2 syntax, a common mistake (standards notes 1.5).
  CHECK_THAT(e("near;maxDistance:1000"),
             Equals("malformed_payload: georel: expected maxDistance==N or "
                    "minDistance==N after 'near;', got 'maxDistance:1000'"));
  CHECK_THAT(e("near;maxDistance==-1"),
             Equals("malformed_payload: georel: distance must be a number of "
                    "metres >= 0, got '-1'"));
  CHECK_THAT(e("near;maxDistance=="),
             Equals("malformed_payload: georel: distance must be a number of "
                    "metres >= 0, got ''"));
  CHECK_THAT(e("near;minDistance==1km"),
             Equals("malformed_payload: georel: distance must be a number of "
                    "metres >= 0, got '1km'"));
  CHECK_THAT(e("near;maxDistance==1;minDistance==2"),
             Equals("malformed_payload: georel: near takes exactly one of "
                    "maxDistance==N and minDistance==N"));
  CHECK_THAT(e("within;maxDistance==1"),
             Equals("malformed_payload: georel: 'within' takes no modifiers"));
  auto multi = parse_geo_query("near;maxDistance==1", "MultiPoint",
                               "[[4.35,50.85]]", "");
  REQUIRE_FALSE(multi);
  CHECK_THAT(citytwin::twin::describe(multi.error()),
             Equals("malformed_payload: georel: near needs a Point geometry, "
                    "got MultiPoint"));
  auto polygon = parse_geo_query("near;maxDistance==1", "Polygon", square, "");
  REQUIRE_FALSE(polygon);
  CHECK_THAT(citytwin::twin::describe(polygon.error()),
             Equals("malformed_payload: georel: near needs a Point geometry, "
                    "got Polygon"));
}

TEST_CASE("malformed geometry and coordinates parameters are rejected",
          "[broker][geo]") {
  using Catch::Matchers::Equals;
  auto e = [](std::string_view geometry, std::string_view coordinates) {
    auto q = parse_geo_query("intersects", geometry, coordinates, "");
    return q ? std::string{"parsed"} : citytwin::twin::describe(q.error());
  };
  CHECK_THAT(e("", "[1,2]"), Equals("malformed_payload: geometry: missing"));
  CHECK_THAT(e("point", "[1,2]"),
             Equals("malformed_payload: geometry: unknown type 'point' "
                    "(expected Point, MultiPoint, LineString, "
                    "MultiLineString, Polygon or MultiPolygon)"));
  CHECK_THAT(e("Point", ""), Equals("malformed_payload: coordinates: missing"));
  CHECK_THAT(e("Point", "[1,2"),
             Equals("malformed_payload: coordinates: not valid JSON"));
  CHECK_THAT(e("Point", "1,2"),
             Equals("malformed_payload: coordinates: not valid JSON"));
  // A LineString's nesting given for a Point.
  CHECK_THAT(e("Point", "[[1,2],[3,4]]"),
             Equals("malformed_payload: coordinates: a position must hold "
                    "numbers, got [[1,2],[3,4]]"));
  CHECK_THAT(e("Polygon", "[[1,2],[3,4]]"),
             Equals("malformed_payload: coordinates: a polygon ring needs an "
                    "array of at least 4 positions"));
  // Well-formed but invalid geometry is named: a figure 8 (equal lobes,
  // so no orientation either), a bow tie with unequal lobes crossing at
  // [1,1], latitude 91.
  CHECK_THAT(e("Polygon", "[[[0,0],[2,2],[2,0],[0,2],[0,0]]]"),
             Equals("malformed_payload: coordinates: self-intersecting "
                    "Polygon: a ring crosses itself"));
  CHECK_THAT(e("Polygon", "[[[0,0],[3,3],[3,0],[0,2],[0,0]]]"),
             Equals("malformed_payload: coordinates: self-intersecting "
                    "Polygon: rings cross or share an edge near [1.2,1.2]"));
  CHECK_THAT(e("Point", "[4.35,91]"),
             Equals("malformed_payload: coordinates: latitude 91 outside "
                    "[-90,90]"));
}

TEST_CASE("NaN and infinite coordinates never parse", "[broker][geo]") {
  using Catch::Matchers::Equals;
  // JSON text cannot hold them, but a geoQ built in code can.
  auto e = [](double lon, double lat) {
    auto q = parse_geo_query(json{{"georel", "intersects"},
                                  {"geometry", "Point"},
                                  {"coordinates", {lon, lat}}});
    return q ? std::string{"parsed"} : citytwin::twin::describe(q.error());
  };
  auto nan = std::numeric_limits<double>::quiet_NaN();
  auto inf = std::numeric_limits<double>::infinity();
  CHECK(e(4.35, 50.85) == "parsed");
  CHECK_THAT(e(nan, 50.85), Equals("malformed_payload: coordinates: "
                                   "longitude is not a finite number"));
  CHECK_THAT(e(4.35, -inf), Equals("malformed_payload: coordinates: "
                                   "latitude is not a finite number"));
  // NaN fails every comparison: neither near bound may let it through.
  auto entity_nan
      = json{{"location", {{"type", "Point"}, {"coordinates", {nan, 0.0}}}}};
  CHECK_FALSE(
      query("near;minDistance==0", "Point", "[0,0]").matches(entity_nan));
  CHECK_FALSE(query("disjoint", "Point", "[0,0]").matches(entity_nan));
}

TEST_CASE("a subscription's geoQ member parses like the query parameters",
          "[broker][geo]") {
  using Catch::Matchers::Equals;
  auto ok = parse_geo_query(
      json::parse(R"({"geometry":"Point","coordinates":[24.30623,60.07966],)"
                  R"("georel":"near;maxDistance==1"})"));
  REQUIRE(ok);
  CHECK(ok->geoproperty == "location");
  CHECK(ok->matches(point_entity({24.30623, 60.07966})));
  // Coordinates may also come as JSON text, and geoproperty may be set.
  auto text = parse_geo_query(json::parse(
      R"({"geometry":"Polygon","coordinates":")" + std::string{square}
      + R"(","georel":"within","geoproperty":"area"})"));
  REQUIRE(text);
  CHECK(text->geoproperty == "area");
  CHECK(text->geometry.polygons.size() == 1);
  auto e = [](const std::string& doc) {
    auto q = parse_geo_query(json::parse(doc));
    return q ? std::string{"parsed"} : citytwin::twin::describe(q.error());
  };
  CHECK_THAT(e("[]"), Equals("malformed_payload: geoQ: not a JSON object"));
  CHECK_THAT(e(R"({"geometry":"Point","coordinates":[1,2],"georel":7})"),
             Equals("malformed_payload: geoQ: georel must be a string"));
  CHECK_THAT(e(R"({"geometry":"Point","coordinates":[1,2]})"),
             Equals("malformed_payload: georel: missing"));
  CHECK_THAT(e(R"({"georel":"within","coordinates":[1,2]})"),
             Equals("malformed_payload: geometry: missing"));
  CHECK_THAT(e(R"({"georel":"within","geometry":"Point"})"),
             Equals("malformed_payload: coordinates: missing"));
  CHECK_THAT(e(R"({"georel":"within","geometry":"Point","coordinates":"[1,"})"),
             Equals("malformed_payload: coordinates: not valid JSON"));
  CHECK_THAT(e(R"({"georel":"within","geometry":"Point","coordinates":[1,2],)"
               R"("geoproperty":3})"),
             Equals("malformed_payload: geoQ: geoproperty must be a string"));
}

TEST_CASE("matches_shape relates an already parsed geometry", "[broker][geo]") {
  auto shape = citytwin::broker::parse_geo_shape(
      json::parse(R"({"type":"Point","coordinates":[4.35,50.85]})"));
  REQUIRE(shape);
  CHECK(query("within", "Polygon", square).matches_shape(*shape));
  CHECK_FALSE(query("disjoint", "Polygon", square).matches_shape(*shape));
  CHECK_FALSE(geo_query{}.matches_shape(*shape));
  CHECK_FALSE(query("disjoint", "Polygon", square)
                  .matches_shape(citytwin::broker::geo_shape{}));
}

TEST_CASE("candidate_box holds every geometry that can match",
          "[broker][geo]") {
  using citytwin::broker::geo_box;
  auto inside = [](const geo_box& b, geo_point p) {
    return p.lon >= b.min_lon && p.lon <= b.max_lon && p.lat >= b.min_lat
           && p.lat <= b.max_lat;
  };
  // Relations that need a shared point: the query's own bounds.
  auto box = query("within", "Polygon", square).candidate_box();
  REQUIRE(box);
  CHECK(box->min_lon == 4.34);
  CHECK(box->min_lat == 50.84);
  CHECK(box->max_lon == 4.36);
  CHECK(box->max_lat == 50.86);
  for (auto rel : {"contains", "intersects", "overlaps", "equals"})
    CHECK(query(rel, "Polygon", square).candidate_box());
  // No box excludes anything for these.
  CHECK_FALSE(query("disjoint", "Polygon", square).candidate_box());
  CHECK_FALSE(query("near;minDistance==10", "Point", "[0,0]").candidate_box());
  CHECK_FALSE(geo_query{}.candidate_box());
  // near;maxDistance: every matching point (great-circle distance), in
  // every direction and at any latitude, lies in the box; the box is at most a
  // few percent too wide in a city (1 km at 50.85 N is 0.0142 degrees of
  // longitude).
  for (double lat : {0.0, 50.85, -50.85, 80.0}) {
    geo_point centre{4.35, lat};
    auto q = query("near;maxDistance==1000", "Point", coords(centre));
    auto b = q.candidate_box();
    REQUIRE(b);
    for (int degrees = 0; degrees < 360; degrees += 15) {
      double a = degrees * std::numbers::pi / 180;
      for (double r : {500.0, 999.999}) {
        auto p = destination(centre, a, r);
        INFO(lat << " " << degrees << " " << r);
        REQUIRE(q.matches(point_entity(p)));
        CHECK(inside(*b, p));
      }
    }
    if (lat == 50.85)
      CHECK(b->max_lon - b->min_lon < 2 * 0.0142 * 1.01);
  }
  // Lines are measured on the flat projection: a north-south street 999 m
  // east of the centre matches, and its bounds meet the box.
  geo_point centre{4.35, 50.85};
  auto south = citytwin::twin::offset(centre, 999, -500);
  auto north = citytwin::twin::offset(centre, 999, 500);
  auto street = citytwin::broker::parse_geo_shape(
      json{{"type", "LineString"},
           {"coordinates", {{south.lon, south.lat}, {north.lon, north.lat}}}});
  REQUIRE(street);
  auto q = query("near;maxDistance==1000", "Point", coords(centre));
  CHECK(q.matches_shape(*street));
  auto b = q.candidate_box();
  REQUIRE(b);
  CHECK(bounds(*street).min_lon <= b->max_lon);
  // Near a pole or the antimeridian, every longitude.
  for (auto centre : {"[179.999,0]", "[-179.999,0]", "[0,89.999]"}) {
    auto far = query("near;maxDistance==1000", "Point", centre);
    auto x = far.candidate_box();
    REQUIRE(x);
    CHECK(x->min_lon == -180);
    CHECK(x->max_lon == 180);
  }
}
