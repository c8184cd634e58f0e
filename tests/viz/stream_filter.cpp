// tests/viz/stream_filter.cpp
#include "viz/stream_filter.hpp"

#include "twin/error.hpp"

#include <catch2/catch.hpp>

using namespace citytwin;
using namespace citytwin::viz;

TEST_CASE("an empty query asks for every kind as Protobuf", "[viz]") {
  auto f = parse_stream_filter("");
  REQUIRE(f);
  CHECK(f->format == frame_format::proto);
  CHECK(f->kinds == 0);
  CHECK_FALSE(f->bbox);
  CHECK(f->accepts(twin::entity_kind::camera));
}

TEST_CASE("kinds, bbox and format parse and filter", "[viz]") {
  auto f = parse_stream_filter(
    "format=json&kinds=street_lamp%2Croad_segment&bbox=10.1,56.1,10.2,56.2");
  REQUIRE(f);
  CHECK(f->format == frame_format::json);
  CHECK(f->accepts(twin::entity_kind::street_lamp));
  CHECK(f->accepts(twin::entity_kind::road_segment));
  CHECK_FALSE(f->accepts(twin::entity_kind::waste_bin));
  geo_box inside{{10.15, 56.15}, {10.15, 56.15}};
  geo_box outside{{10.3, 56.15}, {10.3, 56.15}};
  // A segment crossing the box's edge still counts as inside.
  geo_box crossing{{10.15, 56.15}, {10.4, 56.15}};
  CHECK(f->accepts(twin::entity_kind::street_lamp, inside));
  CHECK_FALSE(f->accepts(twin::entity_kind::street_lamp, outside));
  CHECK(f->accepts(twin::entity_kind::road_segment, crossing));
  CHECK_FALSE(f->accepts(twin::entity_kind::waste_bin, inside));
}

TEST_CASE("unknown filters are errors that name the culprit", "[viz]") {
  auto check = [](std::string_view query, std::string_view culprit) {
    auto f = parse_stream_filter(query);
    REQUIRE_FALSE(f);
    CHECK(f.error() == twin::errc::invalid_config);
    CHECK_THAT(twin::describe(f.error()),
               Catch::Contains(std::string{culprit}));
  };
  check("kinds=street_lamp,unicorn", "unicorn");
  check("colour=red", "colour");
  check("format=xml", "xml");
  check("bbox=1,2,3", "bbox");
  check("bbox=10,56,9,57", "min <= max");
  check("bbox=10,56,11,x", "'x'");
  check("bbox=10,56,11,95", "WGS84");
  check("kinds=%zz", "malformed escape");
}

TEST_CASE("url_decode handles escapes and rejects broken ones", "[viz]") {
  CHECK(url_decode("a%2Cb+c") == std::optional<std::string>{"a,b c"});
  CHECK_FALSE(url_decode("%2"));
  CHECK_FALSE(url_decode("%"));
  CHECK_FALSE(url_decode("%g1"));
}

TEST_CASE("token and tenant are taken from the query, decoded", "[viz]") {
  auto f = parse_stream_filter("token=a%2Bb%26c&tenant=demo&kinds=camera");
  REQUIRE(f);
  CHECK(f->token == std::optional<std::string>{"a+b&c"});
  CHECK(f->tenant == std::optional<std::string>{"demo"});
  CHECK(f->accepts(twin::entity_kind::camera));
  auto none = parse_stream_filter("format=json");
  REQUIRE(none);
  CHECK_FALSE(none->token);
  CHECK_FALSE(none->tenant);
}

TEST_CASE("url_encode escapes what a query component cannot hold", "[viz]") {
  CHECK(url_encode("demo-admin_secret.~1") == "demo-admin_secret.~1");
  CHECK(url_encode("a+b&c=d e/%") == "a%2Bb%26c%3Dd%20e%2F%25");
  CHECK(url_decode(url_encode("\xff\x01 x")) == std::optional<std::string>{
          "\xff\x01 x"});
}
