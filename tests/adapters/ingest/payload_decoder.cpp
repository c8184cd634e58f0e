// tests/adapters/ingest/payload_decoder.cpp
// of bad input counted with its reason while the good readings stay.
#include "adapters/ingest/payload_decoder.hpp"

#include "twin/wire.hpp"

#include <catch2/catch.hpp>

#include <sstream>

using namespace citytwin;
using namespace citytwin::ingest;
using twin::entity_kind;
using twin::quantity;

namespace {

// 2023-11-14T22:13:20Z; recorded times in the tests lie before it.
constexpr twin::time_ms now = 1'700'000'000'000;

std::shared_ptr<const binding_table> bindings() {
  std::istringstream in{
    "citytwin-bindings 1\n"
    "city test\n"
    "device urn:dev:lamp:1: urn:ngsi-ld:StreetLight:test:000001\n"
    "device urn:dev:lamp:2: urn:ngsi-ld:StreetLight:test:000002\n"
    "name counter-5 urn:ngsi-ld:TrafficCounter:test:5 mean_speed\n"};
  auto table = read_bindings(in, "inline");
  REQUIRE(table);
  return std::make_shared<const binding_table>(std::move(*table));
}

struct fixture {
  ingest_counters counters;
  std::vector<std::string> log;
  payload_decoder decoder{{bindings(), "test", "test"},
                          counters,
                          [this](const std::string& line) {
                            log.push_back(line);
                          }};
  twin::reading_batch out;

  uint64_t rejected(reject_reason why) const {
    return counters.snapshot().rejected[static_cast<size_t>(why)];
  }

  void decode(std::string_view payload, twin::time_ms at = now) {
    decoder.decode("city/test/lamp/1", payload, at, out);
  }
};

const twin::entity_id lamp1{entity_kind::street_lamp, 1};
const twin::entity_id lamp2{entity_kind::street_lamp, 2};

} // namespace

TEST_CASE("SenML packs become readings through bindings", "[adapters]") {
  fixture f;
  // 1.6e9 s = 2020-09-13; "%" converts to the ratio dim_level uses, kW
  // to W.
  f.decode(R"([{"bn":"urn:dev:lamp:1:","bt":1600000000,"n":"dim_level",
                "u":"%","v":40},
               {"n":"power","u":"kW","v":0.25},
               {"bn":"urn:dev:lamp:2:","n":"lamp_fault","vb":true}])");
  REQUIRE(f.out.size() == 3);
  CHECK(f.out[0].target == lamp1);
  CHECK(f.out[0].what == quantity::dim_level);
  CHECK(f.out[0].value == Approx(0.4));
  CHECK(f.out[0].time == 1'600'000'000'000);
  CHECK(f.out[1].value == Approx(250));
  CHECK(f.out[2].target == lamp2);
  CHECK(f.out[2].value == 1);
  auto s = f.counters.snapshot();
  CHECK(s.messages == 1);
  CHECK(s.records == 3);
  CHECK(s.readings_accepted == 3);
  CHECK(s.rejected_total() == 0);
  // Lag = now - 1.6e9 s, for all three readings.
  CHECK(s.lag_count == 3);
  CHECK(s.lag_max_ms == now - 1'600'000'000'000);
}

TEST_CASE("bad input is counted by reason and good input kept",
          "[adapters]") {
  fixture f;
  SECTION("malformed JSON") {
    f.decode(R"([{"bn":"urn:dev:lamp:1:","n":"power","v":1)");
    CHECK(f.rejected(reject_reason::malformed_payload) == 1);
  }
  SECTION("wrong value types") {
    f.decode(R"([{"bn":"urn:dev:lamp:1:","n":"power","v":"1"},
                 {"n":"dim_level","v":0.5},
                 {"n":"power","vs":"high"}])");
    CHECK(f.rejected(reject_reason::wrong_type) == 1);
    CHECK(f.rejected(reject_reason::not_numeric) == 1);
    CHECK(f.out.size() == 1);
  }
  SECTION("NaN and infinity") {
    f.decode(R"([{"bn":"urn:dev:lamp:1:","n":"power","v":NaN}])");
    CHECK(f.rejected(reject_reason::malformed_payload) == 1);
    f.decode(R"([{"bn":"urn:dev:lamp:1:","bv":1e308,"n":"power","v":1e308},
                 {"bv":0,"n":"dim_level","v":0.5}])");
    CHECK(f.rejected(reject_reason::not_finite) == 1);
    CHECK(f.out.size() == 1);
  }
  SECTION("a payload over 64 KiB") {
    std::string big = R"([{"bn":"urn:dev:lamp:1:","n":"power","v":1})";
    big += std::string(64 * 1024, ' ') + "]";
    f.decode(big);
    CHECK(f.rejected(reject_reason::too_large) == 1);
    CHECK(f.out.empty());
    // Exactly at the limit is still fine.
    std::string fits = R"([{"bn":"urn:dev:lamp:1:","n":"power","v":1}])";
    fits.insert(1, 64 * 1024 - fits.size(), ' ');
    REQUIRE(fits.size() == 64 * 1024);
    f.decode(fits);
    CHECK(f.out.size() == 1);
  }
  SECTION("invalid UTF-8 in payload or topic") {
    f.decode("[{\"bn\":\"urn:dev:lamp:1:\",\"n\":\"power\",\"v\":1,"
             "\"x\":\"\xC3\x28\"}]");
    CHECK(f.rejected(reject_reason::invalid_utf8) == 1);
    f.decoder.decode("city/test/lamp/\xFF", "[]", now, f.out);
    CHECK(f.rejected(reject_reason::invalid_utf8) == 2);
    CHECK(f.out.empty());
  }
  SECTION("topics off the scheme") {
    for (auto topic : {"city/test/lamp", "city/other/lamp/1",
                       "town/test/lamp/1", "city/test/lamp/1/x",
                       "city/test/lamp/1\r"})
      f.decoder.decode(topic, "[]", now, f.out);
    CHECK(f.rejected(reject_reason::bad_topic) == 5);
  }
  SECTION("unknown entity or quantity") {
    f.decode(R"([{"bn":"urn:dev:lamp:9:","n":"power","v":1},
                 {"bn":"urn:dev:lamp:1:","n":"colour","v":1},
                 {"n":"power","v":2}])");
    CHECK(f.rejected(reject_reason::unknown_entity) == 1);
    CHECK(f.rejected(reject_reason::unknown_quantity) == 1);
    REQUIRE(f.out.size() == 1);
    CHECK(f.out[0].value == 2);
  }
  SECTION("unit mismatch") {
    f.decode(R"([{"bn":"urn:dev:lamp:1:","n":"power","u":"Cel","v":1},
                 {"n":"counter-5","bn":"","u":"m/s","v":10}])");
    CHECK(f.rejected(reject_reason::unit_mismatch) == 1);
    REQUIRE(f.out.size() == 1);
    CHECK(f.out[0].value == Approx(36)); // 10 m/s = 36 km/h
  }
  SECTION("timestamps far in the future or past") {
    // 1e9 s = 2001 is fine; 9e8 s = 1998 is before the floor; now + 2 h
    // is beyond the allowed clock skew of one hour.
    f.decode(R"([{"bn":"urn:dev:lamp:1:","n":"power","bt":1000000000,"v":1},
                 {"n":"dim_level","bt":900000000,"v":0.1},
                 {"n":"lamp_fault","bt":1700007200,"v":0}])");
    CHECK(f.rejected(reject_reason::too_old) == 1);
    CHECK(f.rejected(reject_reason::in_future) == 1);
    CHECK(f.out.size() == 1);
  }
  SECTION("duplicates and out-of-order readings") {
    f.decode(R"([{"bn":"urn:dev:lamp:1:","bt":1600000000,"n":"power","v":1},
                 {"n":"power","v":1},
                 {"n":"power","t":60,"v":2}])");
    CHECK(f.rejected(reject_reason::duplicate) == 1);
    CHECK(f.out.size() == 2);
    // A later message repeating or going back in time.
    f.decode(R"([{"bn":"urn:dev:lamp:1:","bt":1600000060,"n":"power","v":2},
                 {"n":"power","t":-30,"v":3},
                 {"n":"dim_level","t":-30,"v":0.3}])");
    CHECK(f.rejected(reject_reason::duplicate) == 2);
    CHECK(f.rejected(reject_reason::out_of_order) == 1);
    // dim_level was never seen: its own sequence starts here.
    CHECK(f.out.size() == 3);
  }
  SECTION("a flood of garbage mixed with valid data") {
    const std::vector<std::string> garbage = {
      "", "{", "[1,2,3]", "\x01\x02\x03 not protobuf either",
      R"({"id":"urn:ngsi-ld:StreetLight:test:1","power":"x"})", "null"};
    size_t num_valid = 0;
    for (int i = 0; i < 1000; ++i) {
      f.decode(garbage[static_cast<size_t>(i) % garbage.size()]);
      if (i % 10 == 0) {
        auto t = 1'600'000'000 + i;
        f.decode(R"([{"bn":"urn:dev:lamp:1:","n":"power","bt":)"
                 + std::to_string(t) + R"(,"v":)" + std::to_string(i) + "}]");
        ++num_valid;
      }
    }
    CHECK(f.out.size() == num_valid);
    auto s = f.counters.snapshot();
    CHECK(s.messages == 1000 + num_valid);
    CHECK(s.readings_accepted == num_valid);
    // Every garbage payload was rejected once, except "[1,2,3]", a SenML
    // pack of three bad records (i % 6 == 2: 167 times), rejected thrice.
    CHECK(s.rejected_total() == 1000 + 2 * 167);
    // Rate-limited: one line per reason, all at the same `now`.
    CHECK(f.log.size() <= num_reject_reasons);
  }
}

TEST_CASE("NGSI-LD fragments become readings", "[adapters]") {
  fixture f;
  SECTION("normalized, with unitCode and observedAt") {
    f.decode(R"({"id":"urn:ngsi-ld:StreetLight:test:000001",
                 "type":"StreetLight",
                 "dimLevel":{"type":"Property","value":40,"unitCode":"P1",
                             "observedAt":"2020-09-13T12:26:40Z"},
                 "activePower":{"type":"Property","value":0.1,
                                "unitCode":"KWT"},
                 "location":{"type":"GeoProperty","value":{"type":"Point",
                             "coordinates":[10.2,56.1]}},
                 "controlledBy":{"type":"Relationship",
                                 "object":"urn:ngsi-ld:Intersection:test:1"},
                 "@context":"https://uri.etsi.org/ngsi-ld/v1/)"
             R"(ngsi-ld-core-context.jsonld"})");
    REQUIRE(f.out.size() == 2);
    auto s = f.counters.snapshot();
    CHECK(s.rejected_total() == 0);
    for (const auto& x : f.out) {
      CHECK(x.target == lamp1);
      if (x.what == quantity::dim_level) {
        CHECK(x.value == Approx(0.4));
        CHECK(x.time == 1'600'000'000'000);
      } else {
        CHECK(x.what == quantity::power);
        CHECK(x.value == Approx(100));
        CHECK(x.time == now); // no observedAt: receipt time
      }
    }
  }
  SECTION("keyValues, several entities") {
    f.decode(R"([{"id":"urn:ngsi-ld:StreetLight:test:1","dimLevel":0.5,
                  "name":"Lamp 1"},
                 {"id":"urn:ngsi-ld:StreetLight:test:2","lampFault":true,
                  "activePower":12}])");
    CHECK(f.out.size() == 3);
    CHECK(f.counters.snapshot().rejected_total() == 0);
  }
  SECTION("bad fragments") {
    f.decode(R"([{"id":"urn:ngsi-ld:StreetLight:other:1","dimLevel":0.5},
                 {"id":"not-a-urn","dimLevel":0.5},
                 {"id":"urn:ngsi-ld:StreetLight:test:1","dimLevel":"dim",
                  "activePower":{"type":"Property","value":5,"unitCode":"XYZ"},
                  "lampFault":{"type":"Property"},
                  "brightness":7,
                  "dim_level":{"value":0.2,"observedAt":"yesterday"}},
                 {"id":"urn:ngsi-ld:StreetLight:test:2","dimLevel":0.25}])");
    CHECK(f.rejected(reject_reason::unknown_entity) == 1);
    CHECK(f.rejected(reject_reason::bad_name) == 1);
    CHECK(f.rejected(reject_reason::not_numeric) == 1);
    CHECK(f.rejected(reject_reason::unit_mismatch) == 1);
    CHECK(f.rejected(reject_reason::missing_value) == 1);
    CHECK(f.rejected(reject_reason::unknown_quantity) == 1);
    CHECK(f.rejected(reject_reason::wrong_type) == 1);
    REQUIRE(f.out.size() == 1);
    CHECK(f.out[0].target == lamp2);
  }
}

TEST_CASE("Protobuf ReadingBatch payloads are decoded", "[adapters]") {
  fixture f;
  twin::reading_batch sent{
    {lamp1, 1'600'000'000'000, 0.5, quantity::dim_level},
    {lamp2, 1'600'000'000'000, 42, quantity::power},
    {lamp2, 1'600'000'000'000, 42, quantity::power}, // duplicate
  };
  f.decode(twin::encode_readings(sent, "test"));
  REQUIRE(f.out.size() == 2);
  CHECK(f.out[0].target == lamp1);
  CHECK(f.out[1].value == 42);
  CHECK(f.rejected(reject_reason::duplicate) == 1);
  // A valid Protobuf prefix cut in the middle of a field is malformed.
  auto bytes = twin::encode_readings(sent, "test");
  f.decode(std::string_view{bytes}.substr(0, bytes.size() - 3));
  CHECK(f.rejected(reject_reason::malformed_payload) == 1);
}
