// tests/adapters/mqtt/actuator_echo.cpp: commanded settings go out on MQTT,
// retained, for the devices that follow the twin; readings do not.
#include "adapters/mqtt/actuator_echo.hpp"

#include "actors/runtime.hpp"
#include "actors/spawn_twin.hpp"
#include "actors/type_ids.hpp"
#include "adapters/mqtt/mosquitto_process.hpp"
#include "mqtt_collector.hpp"
#include "eventually.hpp"
#include "require_broker.hpp"
#include "running_twin.hpp"
#include "test_data.hpp"
#include "twin/civil_time.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>

#include <catch2/catch.hpp>

#include <thread>

using namespace citytwin;
using namespace std::chrono_literals;
using test::eventually;

namespace {

constexpr twin::time_ms t0 = 1'700'000'000'000;

} // namespace

TEST_CASE("an actuator's setting is a small JSON document on its own topic",
          "[mqtt][command]") {
  auto lamp = twin::make_state({twin::entity_kind::street_lamp, 3});
  auto& l = lamp.as<twin::street_lamp_state>();
  l.dim_level = 0.8;
  l.commands = 2;
  l.last_command = t0;
  CHECK(mqtt::actuator_setting(lamp)
        == R"({"dimLevel":0.8,"commands":2,"lastCommand":")"
             + twin::format_iso_time(t0) + R"("})");
  CHECK(mqtt::actuator_topic("demo", "demo", lamp.id)
        == "city/demo/cmd/street_lamp/urn:ngsi-ld:StreetLight:demo:000003");
  auto light = twin::make_state({twin::entity_kind::intersection, 7});
  auto& s = light.as<twin::intersection_state>();
  s.num_phases = 2;
  s.green_s = {30, 25};
  s.mode = twin::signal_mode::all_red;
  CHECK_THAT(mqtt::actuator_setting(light),
             Catch::StartsWith(
               R"({"signalMode":"allRed","greenTimes":[30,25],"commands":0)"));
  CHECK(mqtt::actuator_setting(
          twin::make_state({twin::entity_kind::waste_bin, 1}))
          .empty());
}

TEST_CASE("commanded settings reach MQTT retained; readings stay inside",
          "[mqtt][command]") {
  mqtt::mosquitto_process broker;
  test::require_broker(broker, test::publishes::no);
  test::running_twin t;
  auto& sys = *t.sys;
  auto echo = mqtt::start_actuator_echo(sys, t.handles.front,
                                        {"127.0.0.1", broker.port()}, "test",
                                        "test");
  REQUIRE(echo);
  {
    test::mqtt_collector devices{broker.port(), "city/test/cmd/#"};
    REQUIRE(devices.wait_ready());
    twin::entity_id lamp{twin::entity_kind::street_lamp, 4};
    // A reading first: the device reported it, nothing goes out for it.
    caf::anon_send(t.handles.front, actors::observe_atom_v,
                   twin::reading_batch{
                     {lamp, t0, 0.3, twin::quantity::dim_level}});
    twin::command cmd;
    cmd.target = lamp;
    cmd.kind = twin::command_kind::dim;
    cmd.level = 0.8;
    cmd.time = t0 + 1000;
    cmd.issuer = "operator:test";
    caf::scoped_actor self{sys};
    bool honoured = false;
    self->request(t.handles.front, 10s, actors::command_atom_v, cmd)
      .receive([&](twin::entity_state&) { honoured = true; },
               [](caf::error&) {});
    REQUIRE(honoured);
    REQUIRE(eventually([&] { return !devices.messages().empty(); }));
    // The reading's delta went through the same publisher before the
    // command's: had it been published, it would have come first.
    auto got = devices.messages();
    REQUIRE(got.size() == 1);
    CHECK_THAT(got.front(), Catch::StartsWith(R"({"dimLevel":0.8,"commands":1)"));
  }
  // Retained: a device that connects later gets its setting at once.
  test::mqtt_collector late{broker.port(),
                            "city/test/cmd/street_lamp/"
                            "urn:ngsi-ld:StreetLight:test:000004"};
  REQUIRE(late.wait_ready());
  REQUIRE(eventually([&] { return !late.messages().empty(); }));
  CHECK_THAT(late.messages().front(), Catch::Contains("\"dimLevel\":0.8"));
  mqtt::stop_actuator_echo(t.handles.front, *echo);
}
