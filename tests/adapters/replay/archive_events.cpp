// tests/adapters/replay/archive_events.cpp: archived samples to ordered
// ReadingBatch messages, without a broker.
#include "adapters/replay/archive_events.hpp"

#include "twin/wire.hpp"

#include <catch2/catch.hpp>

using namespace citytwin;
using namespace citytwin::replay;

namespace {

using twin::entity_kind;
using twin::quantity;

const std::string topic = "city/demo-replay/archive/replay";

// 2024-05-17T15:00:00Z, a recorded second's start.
constexpr twin::time_ms t0 = 1'715'958'000'000;

replay_stream counter() {
  return {{"urn:ngsi-ld:TrafficCounter:demo:000000", "intensity"},
          {entity_kind::traffic_counter, 0},
          quantity::vehicle_flow};
}

replay_stream lamp() {
  return {{"urn:ngsi-ld:StreetLight:demo:000007", "dimLevel"},
          {entity_kind::street_lamp, 7},
          quantity::dim_level};
}

twin::reading_batch decode(const event& x) {
  size_t skipped = 0;
  auto result = twin::decode_readings(x.payload, skipped);
  REQUIRE(result);
  CHECK(skipped == 0);
  return *result;
}

// (entity number, time offset from t0) of every reading of a message.
std::vector<std::pair<uint32_t, twin::time_ms>> keys(const event& x) {
  std::vector<std::pair<uint32_t, twin::time_ms>> result;
  for (const auto& r : decode(x))
    result.emplace_back(r.target.number, r.time - t0);
  return result;
}

} // namespace

TEST_CASE("archive replay: streams merge into one message per recorded "
          "second in time order",
          "[adapters]") {
  twin::reading_batch readings;
  // Streams are read one after the other; the messages interleave them.
  std::vector<archive::sample> c = {{t0, 10}, {t0 + 500, 11}, {t0 + 2000, 12}};
  std::vector<archive::sample> l
      = {{t0 + 200, 0.5}, {t0 + 1999, 0.25}, {t0 + 2000, 1}};
  append_readings(counter(), c, readings);
  append_readings(lamp(), l, readings);
  REQUIRE(readings.size() == 6);
  auto messages = make_messages(readings, topic, "demo");
  // Seconds 0, 1 and 2 after t0 hold 3, 1 and 2 readings.
  REQUIRE(messages.size() == 3);
  using keyed = std::vector<std::pair<uint32_t, twin::time_ms>>;
  CHECK(keys(messages[0]) == keyed{{0, 0}, {7, 200}, {0, 500}});
  CHECK(keys(messages[1]) == keyed{{7, 1999}});
  // Equal times keep the order the streams were read in.
  CHECK(keys(messages[2]) == keyed{{0, 2000}, {7, 2000}});
  // An event is due at its first reading's original time.
  CHECK(messages[0].time == t0);
  CHECK(messages[1].time == t0 + 1999);
  CHECK(messages[2].time == t0 + 2000);
  for (const auto& m : messages)
    CHECK(m.topic == topic);
  // Values and quantities arrive as archived.
  auto first = decode(messages[0]);
  CHECK(first[0].what == quantity::vehicle_flow);
  CHECK(first[0].value == 10);
  CHECK(first[1].target.kind == entity_kind::street_lamp);
  CHECK(first[1].what == quantity::dim_level);
  CHECK(first[1].value == 0.5);
}

TEST_CASE("archive replay: a busy second is split at the per-message cap",
          "[adapters]") {
  twin::reading_batch readings;
  std::vector<archive::sample> xs;
  // Five readings within one second, at most two per message: 2 + 2 + 1.
  for (int i = 0; i < 5; ++i)
    xs.push_back({t0 + 100 * i, double(i)});
  append_readings(counter(), xs, readings);
  auto messages = make_messages(readings, topic, "demo", 2);
  REQUIRE(messages.size() == 3);
  CHECK(decode(messages[0]).size() == 2);
  CHECK(decode(messages[1]).size() == 2);
  CHECK(decode(messages[2]).size() == 1);
  CHECK(messages[1].time == t0 + 200);
  CHECK(messages[2].time == t0 + 400);
  // The default cap keeps a full message under the ingest's 64 KiB.
  readings.clear();
  xs.clear();
  for (size_t i = 0; i < 3 * defaults::max_readings_per_message; ++i)
    xs.push_back({t0 + static_cast<twin::time_ms>(i % 1000), 1e6 + double(i)});
  append_readings(lamp(), xs, readings);
  messages = make_messages(readings, topic, "demo");
  REQUIRE(messages.size() == 3);
  for (const auto& m : messages)
    CHECK(m.payload.size() < 64 * 1024);
  twin::reading_batch none;
  CHECK(make_messages(none, topic, "demo").empty());
}

TEST_CASE("archive replay: streams of twin entities are selected by type",
          "[adapters]") {
  std::vector<archive::stream_name> names = {
      {"urn:ngsi-ld:Alert:demo:alert-1", "severity"},
      {"urn:ngsi-ld:StreetLight:demo:000007", "dimLevel"},
      {"urn:ngsi-ld:StreetLight:demo:000007", "noSuchQuantity"},
      {"urn:ngsi-ld:TrafficCounter:aarhus:000001", "intensity"},
      {"urn:ngsi-ld:TrafficCounter:demo:000000", "intensity"},
  };
  // The first twin URN names the city; the aarhus counter is foreign, as
  // are the alert and the unknown quantity.
  auto all = select_streams(names, {});
  CHECK(all.city == "demo");
  REQUIRE(all.streams.size() == 2);
  CHECK(all.streams[0].id == twin::entity_id{entity_kind::street_lamp, 7});
  CHECK(all.streams[0].what == quantity::dim_level);
  CHECK(all.streams[1].id == twin::entity_id{entity_kind::traffic_counter, 0});
  CHECK(all.num_foreign == 3);
  CHECK(all.num_filtered == 0);
  std::vector<entity_kind> counters = {entity_kind::traffic_counter};
  auto some = select_streams(names, counters);
  REQUIRE(some.streams.size() == 1);
  CHECK(some.streams[0].name.entity
        == "urn:ngsi-ld:TrafficCounter:demo:000000");
  CHECK(some.num_filtered == 1);
}
