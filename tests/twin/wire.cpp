// tests/twin/wire.cpp
#include "twin/wire.hpp"

#include "twin/error.hpp"

#include <catch2/catch.hpp>

using namespace citytwin::twin;

TEST_CASE("readings survive a Protobuf round trip", "[twin]") {
  reading_batch in{
    {{entity_kind::street_lamp, 5}, 1'700'000'000'123, 0.75,
     quantity::dim_level},
    {{entity_kind::energy_meter, 9}, 1'700'000'000'456, 12345.678,
     quantity::energy},
  };
  size_t skipped = 0;
  auto out = decode_readings(encode_readings(in, "demo"), skipped);
  REQUIRE(out);
  CHECK(skipped == 0);
  REQUIRE(out->size() == 2);
  for (size_t i = 0; i < 2; ++i) {
    CHECK((*out)[i].target == in[i].target);
    CHECK((*out)[i].time == in[i].time);
    CHECK((*out)[i].value == in[i].value);
    CHECK((*out)[i].what == in[i].what);
  }
}

TEST_CASE("unknown kinds are skipped, garbage is refused", "[twin]") {
  reading_batch in{{{static_cast<entity_kind>(99), 1}, 0, 1,
                    quantity::pm10},
                   {{entity_kind::noise_sensor, 1}, 0, 60,
                    quantity::noise_level}};
  size_t skipped = 0;
  auto out = decode_readings(encode_readings(in, "demo"), skipped);
  REQUIRE(out);
  CHECK(skipped == 1);
  CHECK(out->size() == 1);
  auto garbage = decode_readings("\xff\xff\xff\xff not protobuf", skipped);
  REQUIRE_FALSE(garbage);
  CHECK(static_cast<errc>(garbage.error().code()) == errc::malformed_payload);
}
