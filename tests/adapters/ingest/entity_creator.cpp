// tests/adapters/ingest/entity_creator.cpp
// on its own and inside the payload decoder (no actors: the announcements
// are collected).
#include "adapters/ingest/entity_creator.hpp"

#include "adapters/ingest/payload_decoder.hpp"
#include "twin/error.hpp"

#include <catch2/catch.hpp>

#include <sstream>

using namespace citytwin;
using namespace citytwin::ingest;
using twin::entity_kind;
using twin::quantity;

namespace {

// 2023-11-14T22:13:20Z; the packs below are older.
constexpr twin::time_ms now = 1'700'000'000'000;

// A `create` configuration whose city has parking sensors 0..7 and air
// quality sensors 0..2; announcements land in `announced`.
creation_config creating(std::vector<twin::entity_id>& announced,
                         size_t max_created = 100) {
  creation_config result;
  result.policy = unknown_id_policy::create;
  result.max_created = max_created;
  result.next_number[twin::index_of(entity_kind::parking_sensor)] = 8;
  result.next_number[twin::index_of(entity_kind::air_quality)] = 3;
  result.announce = [&announced](twin::entity_id id) {
    announced.push_back(id);
  };
  return result;
}

std::shared_ptr<const binding_table> lamp_bindings() {
  std::istringstream in{
    "citytwin-bindings 1\n"
    "device urn:dev:lamp:1: urn:ngsi-ld:StreetLight:test:000001\n"};
  auto table = read_bindings(in, "inline");
  REQUIRE(table);
  return std::make_shared<const binding_table>(std::move(*table));
}

struct fixture {
  std::vector<twin::entity_id> announced;
  ingest_counters counters;
  std::vector<std::string> log;
  payload_decoder decoder;
  twin::reading_batch out;

  explicit fixture(size_t max_created = 100)
    : decoder(make_config(max_created), counters,
              [this](const std::string& line) { log.push_back(line); }) {
    // nop
  }

  decoder_config make_config(size_t max_created) {
    decoder_config result{lamp_bindings(), "test", "test"};
    result.create = creating(announced, max_created);
    return result;
  }

  uint64_t rejected(reject_reason why) const {
    return counters.snapshot().rejected[static_cast<size_t>(why)];
  }

  // A one-record SenML pack of `sensor` on its topic of `kind_level`.
  void senml(std::string_view kind_level, std::string_view sensor,
             std::string_view name, double value, long t) {
    auto topic = "city/test/" + std::string{kind_level} + "/"
                 + std::string{sensor};
    auto pack = R"([{"bn":"urn:dev:)" + std::string{kind_level} + ":"
                + std::string{sensor} + R"(:","bt":)" + std::to_string(t)
                + R"(,"n":")" + std::string{name} + R"(","v":)"
                + std::to_string(value) + "}]";
    decoder.decode(topic, pack, now, out);
  }
};

} // namespace

TEST_CASE("unknown-id policies and topic kinds parse", "[adapters]") {
  CHECK(parse_unknown_id_policy("reject") == unknown_id_policy::reject);
  CHECK(parse_unknown_id_policy("create") == unknown_id_policy::create);
  CHECK_FALSE(parse_unknown_id_policy("Create"));
  CHECK(kind_of_topic_level("parking") == entity_kind::parking_sensor);
  CHECK(kind_of_topic_level("parking_sensor") == entity_kind::parking_sensor);
  CHECK(kind_of_topic_level("ParkingSensor") == entity_kind::parking_sensor);
  CHECK(kind_of_topic_level("pm") == entity_kind::air_quality);
  CHECK(kind_of_topic_level("lamp") == entity_kind::street_lamp);
  CHECK_FALSE(kind_of_topic_level("spaceship"));
  std::vector<twin::entity_id> announced;
  auto config = creating(announced);
  CHECK_FALSE(config.validate());
  config.announce = nullptr;
  CHECK(config.validate() == twin::errc::invalid_config);
  config.policy = unknown_id_policy::reject;
  CHECK_FALSE(config.validate());
}

TEST_CASE("the creator binds each unknown id to one new sensor entity",
          "[adapters]") {
  std::vector<twin::entity_id> announced;
  entity_creator creator{creating(announced, 3)};
  REQUIRE(creator.enabled());
  auto a = creator.resolve("urn:dev:p:A:", "parking", quantity::free_spaces);
  REQUIRE_FALSE(a.refused);
  CHECK(a.created);
  // Numbers start above the city's own (parking sensors 0..7).
  CHECK(a.id == twin::entity_id{entity_kind::parking_sensor, 8});
  auto again = creator.resolve("urn:dev:p:A:", "parking",
                               quantity::free_spaces);
  CHECK_FALSE(again.created);
  CHECK(again.id == a.id);
  // Once bound, the id keeps its entity whatever topic it comes on.
  CHECK(creator.resolve("urn:dev:p:A:", "lamp", quantity::free_spaces).id
        == a.id);
  auto b = creator.resolve("urn:dev:p:B:", "parking", quantity::free_spaces);
  CHECK(b.id == twin::entity_id{entity_kind::parking_sensor, 9});
  // Numbers count per kind.
  auto air = creator.resolve("station-1", "AirQualitySensor",
                             quantity::temperature);
  CHECK(air.id == twin::entity_id{entity_kind::air_quality, 3});
  CHECK(announced
        == std::vector<twin::entity_id>{a.id, b.id, air.id});
  auto refused = [&](std::string_view id, std::string_view level,
                     quantity q) {
    auto r = creator.resolve(id, level, q);
    CHECK_FALSE(r.created);
    REQUIRE(r.refused);
    return r.refused->reason;
  };
  CHECK(refused("lamp-9", "lamp", quantity::dim_level)
        == reject_reason::not_creatable);
  CHECK(refused("x-9", "spaceship", quantity::free_spaces)
        == reject_reason::not_creatable);
  // A quantity the kind does not have creates nothing.
  CHECK(refused("urn:dev:p:C:", "parking", quantity::temperature)
        == reject_reason::unknown_quantity);
  CHECK(refused("urn:dev:p:C:", "", quantity::free_spaces)
        == reject_reason::unknown_entity);
  CHECK(refused(std::string(300, 'x'), "parking", quantity::free_spaces)
        == reject_reason::bad_name);
  // Three created: the limit.
  CHECK(refused("urn:dev:p:C:", "parking", quantity::free_spaces)
        == reject_reason::create_limit);
  CHECK(creator.num_created() == 3);
  CHECK(announced.size() == 3);
}

TEST_CASE("bindings created before a restart come back and a refused "
          "record creates nothing",
          "[adapters]") {
  std::vector<twin::entity_id> announced;
  auto config = creating(announced, 3);
  // Parking sensor 8 was created before the restart (numbers start at 8).
  config.known = {{"urn:dev:p:A:", {entity_kind::parking_sensor, 8}}};
  std::vector<std::pair<std::string, twin::entity_id>> recorded;
  bool disk_full = false;
  config.keep = [&](std::string_view external, twin::entity_id id) {
    if (disk_full)
      return caf::make_error(twin::errc::out_of_space, "disk full");
    recorded.emplace_back(std::string{external}, id);
    return caf::error{};
  };
  entity_creator creator{std::move(config)};
  CHECK(creator.num_created() == 1);
  auto a = creator.resolve("urn:dev:p:A:", "parking", quantity::free_spaces);
  CHECK_FALSE(a.created);
  CHECK(a.id == twin::entity_id{entity_kind::parking_sensor, 8});
  disk_full = true;
  auto b = creator.resolve("urn:dev:p:B:", "parking", quantity::free_spaces);
  REQUIRE(b.refused);
  CHECK(b.refused->reason == reject_reason::not_recorded);
  CHECK(announced.empty());
  disk_full = false;
  // The number a refused record did not use goes to the next id.
  auto c = creator.resolve("urn:dev:p:B:", "parking", quantity::free_spaces);
  CHECK(c.created);
  CHECK(c.id == twin::entity_id{entity_kind::parking_sensor, 9});
  REQUIRE(recorded.size() == 1);
  CHECK(recorded[0].first == "urn:dev:p:B:");
  CHECK(announced == std::vector<twin::entity_id>{c.id});
}

TEST_CASE("under the reject policy unknown ids are refused as before",
          "[adapters]") {
  entity_creator creator{creation_config{}};
  CHECK_FALSE(creator.enabled());
  auto r = creator.resolve("urn:dev:p:A:", "parking", quantity::free_spaces);
  REQUIRE(r.refused);
  CHECK(r.refused->reason == reject_reason::unknown_entity);
}

TEST_CASE("the decoder creates entities for unbound SenML devices",
          "[adapters]") {
  fixture f;
  const twin::entity_id created{entity_kind::parking_sensor, 8};
  // 1.6e9 s = 2020-09-13, then a minute later.
  f.senml("parking", "P9", "free_spaces", 120, 1'600'000'000);
  f.senml("parking", "P9", "free_spaces", 118, 1'600'000'060);
  REQUIRE(f.out.size() == 2);
  CHECK(f.out[0].target == created);
  CHECK(f.out[1].target == created);
  CHECK(f.out[1].value == 118);
  CHECK(f.announced == std::vector<twin::entity_id>{created});
  CHECK(f.counters.snapshot().entities_created == 1);
  REQUIRE(f.log.size() == 1);
  CHECK(f.log[0]
        == "ingest creates urn:ngsi-ld:ParkingSensor:test:000008 for "
           "'urn:dev:parking:P9:'");
  // A bound name is untouched by the policy.
  f.out.clear();
  f.decoder.decode("city/test/lamp/1",
                   R"([{"bn":"urn:dev:lamp:1:","bt":1600000000,)"
                   R"("n":"power","u":"W","v":40}])",
                   now, f.out);
  REQUIRE(f.out.size() == 1);
  CHECK(f.out[0].target == twin::entity_id{entity_kind::street_lamp, 1});
  // Unbound lamps are not sensors: refused with their own reason.
  f.senml("lamp", "77", "power", 40, 1'600'000'000);
  CHECK(f.rejected(reject_reason::not_creatable) == 1);
  // A name that is no quantity creates nothing.
  f.senml("parking", "P10", "wind_speed", 3, 1'600'000'000);
  CHECK(f.rejected(reject_reason::unknown_quantity) == 1);
  // A bare quantity name is the topic's sensor.
  f.out.clear();
  f.decoder.decode("city/test/air/s1",
                   R"([{"bt":1600000000,"n":"temperature","u":"Cel","v":20},)"
                   R"({"n":"humidity","u":"%RH","v":50}])",
                   now, f.out);
  REQUIRE(f.out.size() == 2);
  CHECK(f.out[0].target == twin::entity_id{entity_kind::air_quality, 3});
  CHECK(f.out[1].target == f.out[0].target);
  CHECK(f.counters.snapshot().entities_created == 2);
  // Without a topic there is no kind to create.
  f.decoder.decode(R"([{"bt":1600000000,"n":"urn:dev:x:free_spaces","v":1}])",
                   now, f.out);
  CHECK(f.rejected(reject_reason::unknown_entity) == 1);
  CHECK(f.announced.size() == 2);
}

TEST_CASE("the create limit holds and is counted", "[adapters]") {
  fixture f{2};
  for (int sensor = 0; sensor < 5; ++sensor)
    f.senml("parking", "P" + std::to_string(sensor), "free_spaces", 10,
            1'600'000'000);
  CHECK(f.out.size() == 2);
  CHECK(f.counters.snapshot().entities_created == 2);
  CHECK(f.rejected(reject_reason::create_limit) == 3);
  // A sensor created before the limit keeps its entity.
  f.senml("parking", "P1", "free_spaces", 11, 1'600'000'060);
  CHECK(f.out.size() == 3);
  CHECK(f.rejected(reject_reason::create_limit) == 3);
}

TEST_CASE("the decoder creates entities for foreign NGSI-LD ids",
          "[adapters]") {
  fixture f;
  auto ngsi = [&](std::string_view topic, std::string_view payload) {
    f.out.clear();
    f.decoder.decode(topic, payload, now, f.out);
  };
  ngsi("city/test/AirQualitySensor/st7",
       R"({"id":"urn:ngsi-ld:AirQualityObserved:Aarhus:st7",)"
       R"("type":"AirQualityObserved","name":"Banegården",)"
       R"("pm10":{"type":"Property","value":17,)"
       R"("observedAt":"2020-09-13T12:26:40Z"}})");
  REQUIRE(f.out.size() == 1);
  const twin::entity_id created{entity_kind::air_quality, 3};
  CHECK(f.out[0].target == created);
  CHECK(f.out[0].value == 17);
  ngsi("city/test/AirQualitySensor/st7",
       R"({"id":"urn:ngsi-ld:AirQualityObserved:Aarhus:st7","pm10":18})");
  REQUIRE(f.out.size() == 1);
  CHECK(f.out[0].target == created);
  // Twin URNs of the city go through as they are, even unknown numbers:
  // the twin numbers its entities, a publisher does not.
  ngsi("city/test/AirQualitySensor/st7",
       R"({"id":"urn:ngsi-ld:AirQualitySensor:test:000099","pm10":1})");
  REQUIRE(f.out.size() == 1);
  CHECK(f.out[0].target == twin::entity_id{entity_kind::air_quality, 99});
  // Without a measurement there is nothing to create an entity for.
  ngsi("city/test/AirQualitySensor/st8",
       R"({"id":"station-8","name":"no values"})");
  CHECK(f.out.empty());
  CHECK(f.rejected(reject_reason::bad_name) == 1);
  CHECK(f.announced == std::vector<twin::entity_id>{created});
}
