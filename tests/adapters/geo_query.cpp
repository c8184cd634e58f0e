// tests/adapters/geo_query.cpp
#include "adapters/broker/geo_query.hpp"
#include "twin/error.hpp"
#include "twin/geo.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

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
  CHECK(in_square.matches(point_entity({4.34, 50.85}))); // on the edge
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
  // A point on a line, here 0.5 m off it, touches it.
  auto on_line = citytwin::twin::offset({4.34, 50.85}, 0, 0.5);
  CHECK(query("intersects", "Point", coords(on_line)).matches(street));
  auto off_line = citytwin::twin::offset({4.34, 50.85}, 0, 3);
  CHECK_FALSE(query("intersects", "Point", coords(off_line)).matches(street));
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

TEST_CASE("disjoint, overlaps and equals follow from intersects and within",
          "[broker][geo]") {
  auto crossing = entity(
      R"({"type":"LineString","coordinates":[[4.33,50.85],[4.37,50.85]]})");
  auto inner = entity(
      R"({"type":"LineString","coordinates":[[4.345,50.85],[4.355,50.85]]})");
  auto outside = point_entity({4.30, 50.85});
  CHECK(query("disjoint", "Polygon", square).matches(outside));
  CHECK_FALSE(query("disjoint", "Polygon", square).matches(inner));
  CHECK(query("overlaps", "Polygon", square).matches(crossing));
  CHECK_FALSE(query("overlaps", "Polygon", square).matches(inner));
  CHECK_FALSE(query("overlaps", "Polygon", square).matches(outside));
  CHECK(query("equals", "Point", "[4.30,50.85]").matches(outside));
  CHECK_FALSE(query("equals", "Point", "[4.30,50.86]").matches(outside));
  CHECK_FALSE(query("equals", "MultiPoint", "[[4.30,50.85]]").matches(outside));
  CHECK(query("equals", "LineString", "[[4.345,50.85],[4.355,50.85]]")
            .matches(inner));
  CHECK_FALSE(query("equals", "LineString", "[[4.355,50.85],[4.345,50.85]]")
                  .matches(inner));
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
