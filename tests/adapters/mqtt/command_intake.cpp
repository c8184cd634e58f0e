// tests/adapters/mqtt/command_intake.cpp: commands requested over MQTT
// reach the twin; what cannot be done comes back on .../refused.
#include "adapters/mqtt/command_intake.hpp"

#include "actors/runtime.hpp"
#include "actors/spawn_twin.hpp"
#include "actors/type_ids.hpp"
#include "adapters/mqtt/actuator_echo.hpp"
#include "adapters/mqtt/ingest_client.hpp"
#include "adapters/mqtt/mosquitto_process.hpp"
#include "mqtt_collector.hpp"
#include "eventually.hpp"
#include "require_broker.hpp"
#include "running_twin.hpp"
#include "test_data.hpp"
#include "twin/error.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>

#include <catch2/catch.hpp>

#include <thread>

using namespace citytwin;
using namespace std::chrono_literals;
using test::eventually;

namespace {

constexpr twin::time_ms now = 1'700'000'000'000;
const std::string lamp_topic
  = "city/test/cmd/street_lamp/urn:ngsi-ld:StreetLight:test:000002/set";

twin::errc refusal(std::string_view topic, std::string_view payload) {
  auto result = mqtt::parse_command_request(topic, payload, "test", "test",
                                            now);
  REQUIRE_FALSE(result);
  return static_cast<twin::errc>(result.error().code());
}

} // namespace

TEST_CASE("a command request names an actuator and one setting",
          "[mqtt][command]") {
  auto cmd = mqtt::parse_command_request(
    lamp_topic, R"({"dimLevel":0.6,"reason":"market day"})", "test", "test",
    now);
  REQUIRE(cmd);
  CHECK(cmd->target
        == twin::entity_id{twin::entity_kind::street_lamp, 2});
  CHECK(cmd->kind == twin::command_kind::dim);
  CHECK(cmd->level == 0.6);
  CHECK(cmd->reason == "market day");
  CHECK(cmd->issuer == "mqtt");
  CHECK(cmd->time == now);
  auto kind = twin::ngsi_type(twin::entity_kind::intersection);
  std::string light_topic = "city/test/cmd/intersection/urn:ngsi-ld:"
                            + std::string{kind} + ":test:000004/set";
  auto plan = mqtt::parse_command_request(
    light_topic, R"({"greenTimes":[30,25]})", "test", "test", now);
  REQUIRE(plan);
  CHECK(plan->kind == twin::command_kind::signal_plan);
  CHECK(plan->num_phases == 2);
  auto mode = mqtt::parse_command_request(
    light_topic, R"({"signalMode":"allRed"})", "test", "test", now);
  REQUIRE(mode);
  CHECK(mode->mode == twin::signal_mode::all_red);
  // The topic.
  using twin::errc;
  CHECK(refusal("city/test/cmd/street_lamp/x", "{}") == errc::malformed_payload);
  CHECK(refusal(lamp_topic + "/more", R"({"dimLevel":1})")
        == errc::malformed_payload);
  CHECK(refusal("city/other/cmd/street_lamp/"
                "urn:ngsi-ld:StreetLight:test:000002/set",
                R"({"dimLevel":1})")
        == errc::unknown_entity);
  CHECK(refusal("city/test/cmd/street_lamp/"
                "urn:ngsi-ld:StreetLight:elsewhere:000002/set",
                R"({"dimLevel":1})")
        == errc::unknown_entity);
  CHECK(refusal("city/test/cmd/intersection/"
                "urn:ngsi-ld:StreetLight:test:000002/set",
                R"({"dimLevel":1})")
        == errc::not_an_actuator);
  // The payload.
  CHECK(refusal(lamp_topic, "not json") == errc::malformed_payload);
  CHECK(refusal(lamp_topic, "[1]") == errc::malformed_payload);
  CHECK(refusal(lamp_topic, "{}") == errc::malformed_payload);
  CHECK(refusal(lamp_topic, R"({"dimLevel":1,"signalMode":"normal"})")
        == errc::malformed_payload);
  CHECK(refusal(lamp_topic, R"({"dimLevel":"full"})")
        == errc::malformed_payload);
  CHECK(refusal(lamp_topic, R"({"colour":"red"})") == errc::malformed_payload);
  CHECK(refusal(lamp_topic, R"({"dimLevel":1,"reason":")"
                              + std::string(300, 'x') + "\"}")
        == errc::malformed_payload);
  CHECK(refusal(lamp_topic, R"({"dimLevel":{"a":{"b":{"c":{}}}}})")
        == errc::malformed_payload);
  CHECK(refusal(lamp_topic, std::string(mqtt::max_command_payload + 1, ' '))
        == errc::malformed_payload);
  CHECK(mqtt::refusal_topic(lamp_topic)
        == "city/test/cmd/street_lamp/urn:ngsi-ld:StreetLight:test:000002/"
           "refused");
}

TEST_CASE("commands requested over MQTT change the twin and come back as "
          "settings or refusals",
          "[mqtt][command]") {
  mqtt::mosquitto_process broker;
  test::require_broker(broker, test::publishes::no);
  test::running_twin t;
  auto& sys = *t.sys;
  auto echo = mqtt::start_actuator_echo(sys, t.handles.front,
                                        {"127.0.0.1", broker.port()}, "test",
                                        "test");
  REQUIRE(echo);
  auto intake = sys.spawn(mqtt::command_intake, t.handles.front, echo->out);
  auto counters = std::make_shared<mqtt::command_request_counters>();
  mqtt::ingest_client_config config;
  config.broker = {"127.0.0.1", broker.port()};
  config.command_filter = mqtt::command_request_filter("test");
  config.on_command = mqtt::command_request_handler(intake, echo->out, "test",
                                                    "test", counters);
  ingest::decoder_config decoding;
  decoding.city = "test";
  decoding.tenant = "test";
  auto client = mqtt::ingest_client::start(
    config, decoding, [](size_t, twin::reading_batch&&) {}, 1);
  REQUIRE(client);
  REQUIRE(eventually([&] { return (*client)->subscribed(); }));
  {
    // What devices see: the setting, and refusals apart from it.
    const std::string lamp_base
      = "city/test/cmd/street_lamp/urn:ngsi-ld:StreetLight:test:000002";
    test::mqtt_collector devices{broker.port(), lamp_base};
    test::mqtt_collector refusals{broker.port(), lamp_base + "/refused"};
    REQUIRE(devices.wait_ready());
    REQUIRE(refusals.wait_ready());
    auto requests = mqtt::publisher::connect({"127.0.0.1", broker.port()}, 5s);
    REQUIRE(requests);
    // Honoured: the lamp changes, and its setting goes out for the device.
    REQUIRE_FALSE((*requests)->publish(lamp_topic, R"({"dimLevel":0.6})", 1));
    REQUIRE(eventually([&] { return !devices.messages().empty(); }));
    CHECK_THAT(devices.messages().front(),
               Catch::StartsWith(R"({"dimLevel":0.6,"commands":1)"));
    caf::scoped_actor self{sys};
    double level = -1;
    self
      ->request(t.handles.front, 10s, caf::get_atom_v,
                twin::entity_id{twin::entity_kind::street_lamp, 2})
      .receive(
        [&](twin::entity_state& st) {
          level = st.as<twin::street_lamp_state>().dim_level;
        },
        [](caf::error&) {});
    CHECK(level == 0.6);
    // Refused by the twin (out of range) and before it (not JSON): the
    // reasons come back on .../refused, nothing changes.
    REQUIRE_FALSE((*requests)->publish(lamp_topic, R"({"dimLevel":1.5})", 1));
    REQUIRE(eventually([&] { return refusals.messages().size() == 1; }));
    CHECK_THAT(refusals.messages()[0], Catch::Contains("out_of_range"));
    REQUIRE_FALSE((*requests)->publish(lamp_topic, "dim please", 1));
    REQUIRE(eventually([&] { return refusals.messages().size() == 2; }));
    CHECK_THAT(refusals.messages()[1], Catch::Contains("malformed_payload"));
    CHECK(counters->received == 3);
    CHECK(counters->malformed == 1);
    // Refused requests published no setting.
    CHECK(devices.messages().size() == 1);
  }
  (*client)->stop();
  caf::anon_send_exit(intake, caf::exit_reason::user_shutdown);
  mqtt::stop_actuator_echo(t.handles.front, *echo);
}
