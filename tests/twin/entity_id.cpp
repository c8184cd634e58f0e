// tests/twin/entity_id.cpp
#include "twin/entity_id.hpp"

#include "twin/error.hpp"

#include <catch2/catch.hpp>

using namespace citytwin::twin;

TEST_CASE("URNs name kind, city and a zero-padded number", "[twin]") {
  entity_id lamp{entity_kind::street_lamp, 123};
  CHECK(to_urn(lamp, "demo") == "urn:ngsi-ld:StreetLight:demo:000123");
  auto parsed = parse_urn("urn:ngsi-ld:StreetLight:demo:000123");
  REQUIRE(parsed);
  CHECK(parsed->city == "demo");
  CHECK(parsed->id == lamp);
}

TEST_CASE("every kind survives a URN round trip", "[twin]") {
  for (auto kind : all_entity_kinds) {
    entity_id id{kind, 4'000'000'000u};
    auto parsed = parse_urn(to_urn(id, "big-city_2"));
    REQUIRE(parsed);
    CHECK(parsed->id == id);
    CHECK(parse_entity_kind(to_string(kind)) == kind);
  }
}

TEST_CASE("malformed URNs are refused with a reason", "[twin]") {
  auto code = [](std::string_view urn) {
    auto parsed = parse_urn(urn);
    REQUIRE_FALSE(parsed);
    return static_cast<errc>(parsed.error().code());
  };
  CHECK(code("urn:ngsi-ld:Spaceship:demo:1") == errc::unknown_kind);
  CHECK(code("urn:other:StreetLight:demo:1") == errc::malformed_id);
  CHECK(code("urn:ngsi-ld:StreetLight:1") == errc::malformed_id);
  CHECK(code("urn:ngsi-ld:StreetLight:demo:") == errc::malformed_id);
  CHECK(code("urn:ngsi-ld:StreetLight:demo:12x") == errc::malformed_id);
  CHECK(code("urn:ngsi-ld:StreetLight:demo:-1") == errc::malformed_id);
  // 2^32 does not fit an entity number.
  CHECK(code("urn:ngsi-ld:StreetLight:demo:4294967296") == errc::malformed_id);
  // Path traversal and blanks never make it into a city name.
  CHECK(code("urn:ngsi-ld:StreetLight:../etc:1") == errc::malformed_id);
  CHECK(code("urn:ngsi-ld:StreetLight:de mo:1") == errc::malformed_id);
}
