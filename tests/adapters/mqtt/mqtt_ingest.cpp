// tests/adapters/mqtt/mqtt_ingest.cpp
// on loopback: mosquitto_pub and the replay player publish, the MQTT
// client decodes and batches, and the twin (or a collector) receives.
#include "adapters/mqtt/ingest_client.hpp"

#include "actors/runtime.hpp"
#include "actors/spawn_twin.hpp"
#include "actors/type_ids.hpp"
#include "adapters/mqtt/mosquitto_process.hpp"
#include "adapters/mqtt/publisher.hpp"
#include "adapters/replay/csv_events.hpp"
#include "adapters/replay/player.hpp"
#include "eventually.hpp"
#include "require_broker.hpp"
#include "skip.hpp"
#include "test_data.hpp"
#include "twin/city_file.hpp"
#include "twin/text.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>

#include <catch2/catch.hpp>

#include <filesystem>
#include <set>
#include <fstream>
#include <sstream>
#include <thread>

#include <unistd.h>

using namespace citytwin;
using namespace std::chrono_literals;
using test::eventually;

namespace {

// Readings the client sent on, collected from its sink (which runs on the
// client's threads).
struct collector {
  std::mutex mtx;
  twin::reading_batch got;
  size_t batches = 0;

  ingest::shard_batcher::sink sink() {
    return [this](size_t, twin::reading_batch&& batch) {
      std::lock_guard<std::mutex> guard{mtx};
      ++batches;
      got.insert(got.end(), batch.begin(), batch.end());
    };
  }

  size_t size() {
    std::lock_guard<std::mutex> guard{mtx};
    return got.size();
  }
};

std::shared_ptr<const ingest::binding_table> lamp_bindings() {
  std::istringstream in{
    "citytwin-bindings 1\n"
    "device urn:dev:lamp:1: urn:ngsi-ld:StreetLight:test:000001\n"};
  auto table = ingest::read_bindings(in, "inline");
  REQUIRE(table);
  return std::make_shared<const ingest::binding_table>(std::move(*table));
}

uint64_t rejected(const mqtt::ingest_client& client,
                  ingest::reject_reason why) {
  return client.counters().snapshot().rejected[static_cast<size_t>(why)];
}

// A SenML pack for lamp 1 at `t` (Unix seconds) with power `w`.
std::string lamp_pack(long t, double w) {
  return R"([{"bn":"urn:dev:lamp:1:","bt":)" + std::to_string(t)
         + R"(,"n":"power","u":"W","v":)" + twin::shortest(w) + "}]";
}

// An ingest client of lamp 1's packs at QoS 1 that reconnects within 1-2 s.
auto start_lamp_client(const mqtt::mosquitto_process& broker, collector& out) {
  mqtt::ingest_client_config config;
  config.broker = {"127.0.0.1", broker.port()};
  config.qos = 1;
  config.reconnect_min_s = 1;
  config.reconnect_max_s = 2;
  ingest::decoder_config decoding;
  decoding.bindings = lamp_bindings();
  decoding.city = "test";
  decoding.tenant = "test";
  return mqtt::ingest_client::start(config, decoding, out.sink(), 2);
}

} // namespace

TEST_CASE("MQTT ingest via mosquitto_pub, QoS 0 and 1, reconnect",
          "[adapters][mqtt]") {
  mqtt::mosquitto_process broker;
  test::require_broker(broker, test::publishes::with_mosquitto_pub);
  collector out;
  auto client = start_lamp_client(broker, out);
  REQUIRE(client);
  auto& c = **client;
  REQUIRE(eventually([&] { return c.subscribed(); }));
  const auto topic = mqtt::shell_quote("city/test/lamp/1");
  SECTION("valid packs at QoS 0 and 1 arrive in batches") {
    CHECK(broker.publish("-q 1 -t " + topic + " -m "
                         + mqtt::shell_quote(lamp_pack(1600000000, 10)))
          == 0);
    CHECK(broker.publish("-q 0 -t " + topic + " -m "
                         + mqtt::shell_quote(lamp_pack(1600000060, 20)))
          == 0);
    REQUIRE(eventually([&] { return out.size() == 2; }));
    CHECK(out.got[0].value == 10);
    CHECK(out.got[1].value == 20);
    CHECK(out.batches <= 2);
  }
  SECTION("bad input is counted and the client keeps going") {
    CHECK(broker.publish("-t " + topic + " -m '[{\"n\":'") == 0);
    CHECK(broker.publish("-t " + mqtt::shell_quote("city/other/lamp/1")
                         + " -m '[]'")
          == 0);
    // 70,000 bytes of blanks around a valid pack: over the 64 KiB limit.
    auto big = std::filesystem::temp_directory_path()
               / ("citytwin-big-" + std::to_string(::getpid()) + ".json");
    {
      std::ofstream f{big};
      f << '[' << std::string(70'000, ' ')
        << lamp_pack(1600000000, 1).substr(1);
    }
    CHECK(broker.publish("-t " + topic + " -f " + big.string()) == 0);
    std::filesystem::remove(big);
    // Invalid UTF-8 in the payload (a lone continuation byte; octal,
    // because /bin/sh may be dash, whose printf has no \x).
    CHECK(broker.publish("-t " + topic + " -m \"$(printf '[\\200]')\"") == 0);
    CHECK(broker.publish("-t " + topic + " -m "
                         + mqtt::shell_quote(lamp_pack(1600000120, 30)))
          == 0);
    REQUIRE(eventually([&] { return out.size() == 1; }));
    // Four of the five messages: the other tenant's topic does not match
    // the subscription and never arrives.
    REQUIRE(eventually([&] {
      return c.counters().snapshot().messages == 4;
    }));
    CHECK(rejected(c, ingest::reject_reason::malformed_payload) == 1);
    CHECK(rejected(c, ingest::reject_reason::too_large) == 1);
    CHECK(rejected(c, ingest::reject_reason::invalid_utf8) == 1);
    CHECK(out.got[0].value == 30);
    CHECK(rejected(c, ingest::reject_reason::bad_topic) == 0);
  }
  SECTION("a restarted broker is reconnected with backoff") {
    broker.stop();
    REQUIRE(eventually([&] { return !c.subscribed(); }));
    REQUIRE(broker.start());
    REQUIRE(eventually([&] { return c.subscribed(); }, 15s));
    CHECK(c.counters().snapshot().connects == 2);
    CHECK(broker.publish("-q 1 -t " + topic + " -m "
                         + mqtt::shell_quote(lamp_pack(1600000000, 5)))
          == 0);
    REQUIRE(eventually([&] { return out.size() == 1; }));
  }
  c.stop();
}

TEST_CASE("MQTT ingest: mosquitto killed during ingest loses nothing it "
          "acknowledged, and ingest recovers",
          "[adapters][mqtt][security]") {
  mqtt::mosquitto_process broker;
  test::require_broker(broker, test::publishes::with_mosquitto_pub);
  collector out;
  auto client = start_lamp_client(broker, out);
  REQUIRE(client);
  auto& c = **client;
  REQUIRE(eventually([&] { return c.subscribed(); }));
  const auto topic = mqtt::shell_quote("city/test/lamp/1");
  long t = 1600000000;
  size_t acknowledged = 0;
  size_t refused = 0;
  // mosquitto_pub exits 0 once the broker has acknowledged (QoS 1).
  auto publish = [&] {
    ++t;
    if (broker.publish("-q 1 -t " + topic + " -m "
                       + mqtt::shell_quote(lamp_pack(t, double(t % 1000))))
        == 0)
      ++acknowledged;
    else
      ++refused;
  };
  for (int i = 0; i < 20; ++i)
    publish();
  REQUIRE(eventually([&] { return out.size() == acknowledged; }));
  // A crash: no clean disconnect. What is published meanwhile is refused
  // to the publisher (not acknowledged), so it may be lost.
  broker.kill();
  REQUIRE(eventually([&] { return !c.subscribed(); }));
  for (int i = 0; i < 3; ++i)
    publish();
  CHECK(refused == 3);
  auto down = std::chrono::steady_clock::now();
  REQUIRE(broker.start());
  REQUIRE(eventually([&] { return c.subscribed(); }, 15s));
  auto recovery = std::chrono::duration<double>(
                      std::chrono::steady_clock::now() - down)
                      .count();
  for (int i = 0; i < 20; ++i)
    publish();
  REQUIRE(eventually([&] { return out.size() == acknowledged; }));
  CHECK(acknowledged == 40);
  // Nothing acknowledged was lost, and nothing came twice.
  std::set<long> times;
  {
    std::lock_guard<std::mutex> guard{out.mtx};
    for (const auto& r : out.got)
      times.insert(r.time);
  }
  CHECK(times.size() == acknowledged);
  WARN("mosquitto SIGKILL during ingest: " << acknowledged
                                           << " acknowledged, all received; "
                                           << refused
                                           << " refused while down; ingest "
                                              "subscribed again "
                                           << recovery << " s after restart");
  c.stop();
}

TEST_CASE("MQTT ingest connects to a broker that starts later",
          "[adapters][mqtt]") {
  mqtt::mosquitto_process broker;
  test::require_broker(broker, test::publishes::with_mosquitto_pub);
  broker.stop();
  collector out;
  mqtt::ingest_client_config config;
  config.broker = {"127.0.0.1", broker.port()};
  config.reconnect_min_s = 1;
  config.reconnect_max_s = 2;
  ingest::decoder_config decoding;
  decoding.bindings = lamp_bindings();
  decoding.city = "test";
  auto client = mqtt::ingest_client::start(config, decoding, out.sink(), 1);
  REQUIRE(client); // a refused first connection is not an error
  // `start` made the first attempt before returning, and it was refused;
  // no need to wait: with the broker down nothing can subscribe.
  CHECK_FALSE((*client)->subscribed());
  CHECK((*client)->counters().snapshot().connects == 0);
  REQUIRE(broker.start());
  REQUIRE(eventually([&] { return (*client)->subscribed(); }, 15s));
  CHECK(broker.publish("-q 1 -t city/test/lamp/1 -m "
                       + mqtt::shell_quote(lamp_pack(1600000000, 5)))
        == 0);
  REQUIRE(eventually([&] { return out.size() == 1; }));
}

TEST_CASE("replaying a recorded dataset updates the twin through MQTT",
          "[adapters][mqtt]") {
  auto data_dir = test::shared_data_dir() + "/streams";
  auto csv = data_dir + "/aarhus-weather/AarhusWeatherData0.csv";
  test::require_path(csv, test::shared_data_hint);
  mqtt::mosquitto_process broker;
  test::require_broker(broker, test::publishes::no);
  // What the recording holds, counted straight from the CSV: cells of
  // humidity and temperature that are not empty, and the last row.
  size_t num_values = 0;
  std::string last_temperature;
  {
    std::ifstream in{csv};
    std::string line;
    std::getline(in, line); // header
    while (std::getline(in, line)) {
      auto cells = twin::split(twin::trim(line), ',');
      REQUIRE(cells.size() == 4);
      num_values += !cells[0].empty() + !cells[1].empty();
      if (!cells[1].empty())
        last_temperature = std::string{cells[1]};
    }
  }
  REQUIRE(num_values > 8000); // about 4,356 rows with both values
  caf::actor_system_config cfg;
  REQUIRE_FALSE(actors::configure(cfg, {"sharing", 2}));
  caf::actor_system sys{cfg};
  auto city = twin::load_city(test::project_data_dir() + "/demo.city");
  REQUIRE(city);
  auto handles = actors::spawn_twin(sys, *city, {2, 0});
  REQUIRE(handles);
  auto table = ingest::load_bindings(test::project_data_dir()
                                     + "/bindings/demo.bindings");
  REQUIRE(table);
  mqtt::ingest_client_config config;
  config.broker = {"127.0.0.1", broker.port()};
  ingest::decoder_config decoding;
  decoding.bindings = std::make_shared<const ingest::binding_table>(
    std::move(*table));
  decoding.city = "demo";
  auto client = mqtt::ingest_client::start(
    config, decoding, ingest::router_sink(handles->routers),
    handles->routers.size());
  REQUIRE(client);
  REQUIRE(eventually([&] { return (*client)->subscribed(); }));
  auto ds = replay::load_dataset(test::project_data_dir()
                                 + "/datasets/aarhus-weather.conf");
  REQUIRE(ds);
  replay::load_report loaded;
  auto events = replay::load_events(*ds, data_dir, loaded);
  REQUIRE(events);
  CHECK(loaded.rows == 4357);
  auto pub = mqtt::publisher::connect({"127.0.0.1", broker.port()}, 5s);
  REQUIRE(pub);
  replay::play_options play;
  play.qos = 1; // as fast as possible, but nothing lost
  auto played = replay::play(*events, **pub, play);
  CHECK(played.published == events->size());
  CHECK(played.drained);
  auto& c = **client;
  bool all_arrived = eventually([&] {
    return c.counters().snapshot().messages == events->size();
  });
  INFO("received " << c.counters().snapshot().messages << " of "
                   << events->size());
  REQUIRE(all_arrived);
  c.flush();
  auto s = c.counters().snapshot();
  CHECK(s.readings_accepted == num_values);
  // Every wind value names no twin quantity.
  CHECK(s.rejected[static_cast<size_t>(ingest::reject_reason::unknown_quantity)]
        > 4000);
  // Far fewer CAF messages than readings.
  CHECK(s.batches_sent * 4 < s.readings_accepted);
  caf::scoped_actor self{sys};
  actors::twin_stats stats;
  REQUIRE(eventually([&] {
    self->request(handles->front, 5s, actors::stats_atom_v)
      .receive([&](actors::twin_stats& x) { stats = std::move(x); },
               [](caf::error&) {});
    return stats.readings == num_values;
  }));
  CHECK(stats.readings_applied() == num_values);
  twin::entity_state station;
  self
    ->request(handles->front, 5s, caf::get_atom_v,
              twin::entity_id{twin::entity_kind::air_quality, 0})
    .receive([&](twin::entity_state& x) { station = std::move(x); },
             [](caf::error&) {});
  auto temperature = twin::value_of(station, twin::quantity::temperature);
  REQUIRE(temperature);
  CHECK(twin::shortest(*temperature)
        == twin::shortest(std::stod(last_temperature)));
  // 2014-09-30T23:50:00+02:00 is the last row.
  CHECK(station.updated == 1'412'113'800'000);
  c.stop();
  actors::stop_twin(sys, *handles);
}

TEST_CASE("MQTT ingest creates sensor entities for unknown ids",
          "[adapters][mqtt]") {
  mqtt::mosquitto_process broker;
  test::require_broker(broker, test::publishes::with_mosquitto_pub);
  caf::actor_system_config cfg;
  REQUIRE_FALSE(actors::configure(cfg, {"sharing", 2}));
  caf::actor_system sys{cfg};
  auto city = test::small_city();
  auto handles = actors::spawn_twin(sys, city, {2, 0});
  REQUIRE(handles);
  const auto& dir = *handles->entities;
  const twin::entity_id car_park{twin::entity_kind::parking_sensor,
                                 dir.next_number(
                                   twin::entity_kind::parking_sensor)};
  const twin::entity_id station{twin::entity_kind::air_quality,
                                dir.next_number(
                                  twin::entity_kind::air_quality)};
  // What `citytwin serve --unknown-ids create --max-created 2` sets up.
  ingest::decoder_config decoding;
  decoding.bindings = lamp_bindings();
  decoding.city = "test";
  decoding.tenant = "test";
  decoding.create.policy = ingest::unknown_id_policy::create;
  decoding.create.max_created = 2;
  for (auto kind : twin::all_entity_kinds)
    decoding.create.next_number[twin::index_of(kind)] = dir.next_number(kind);
  decoding.create.announce = ingest::announce_to_routers(handles->routers);
  mqtt::ingest_client_config config;
  config.broker = {"127.0.0.1", broker.port()};
  auto client = mqtt::ingest_client::start(
    config, decoding, ingest::router_sink(handles->routers),
    handles->routers.size());
  REQUIRE(client);
  auto& c = **client;
  REQUIRE(eventually([&] { return c.subscribed(); }));
  auto publish = [&](const std::string& topic, const std::string& pack) {
    CHECK(broker.publish("-q 1 -t " + mqtt::shell_quote(topic) + " -m "
                         + mqtt::shell_quote(pack))
          == 0);
  };
  auto free_spaces = [](long t, int n) {
    return R"([{"bn":"urn:dev:aarhus-parking:P9:","bt":)" + std::to_string(t)
           + R"(,"n":"free_spaces","v":)" + std::to_string(n) + "}]";
  };
  // Two packs of one unbound car park, a bare-named weather station, an
  // unbound lamp (no sensor), and a third sensor beyond the limit.
  publish("city/test/parking/P9", free_spaces(1'600'000'000, 120));
  publish("city/test/parking/P9", free_spaces(1'600'000'060, 118));
  publish("city/test/weather/W1",
          R"([{"bt":1600000000,"n":"temperature","u":"Cel","v":18.5}])");
  publish("city/test/lamp/77", R"([{"bn":"urn:dev:lamp:77:","bt":1600000000,)"
                               R"("n":"power","u":"W","v":40}])");
  publish("city/test/parking/P10",
          R"([{"bn":"urn:dev:aarhus-parking:P10:","bt":1600000000,)"
          R"("n":"free_spaces","v":7}])");
  REQUIRE(eventually([&] { return c.counters().snapshot().messages == 5; }));
  c.flush();
  auto s = c.counters().snapshot();
  CHECK(s.readings_accepted == 3);
  CHECK(s.entities_created == 2);
  CHECK(s.rejected[static_cast<size_t>(ingest::reject_reason::not_creatable)]
        == 1);
  CHECK(s.rejected[static_cast<size_t>(ingest::reject_reason::create_limit)]
        == 1);
  caf::scoped_actor self{sys};
  actors::twin_stats stats;
  REQUIRE(eventually([&] {
    self->request(handles->front, 5s, actors::stats_atom_v)
      .receive([&](actors::twin_stats& x) { stats = std::move(x); },
               [](caf::error&) {});
    return stats.readings == 3 && stats.deltas >= 2;
  }));
  CHECK(stats.readings_applied() == 3);
  CHECK(stats.unknown_entity == 0);
  CHECK(stats.created == 2);
  CHECK(stats.entities_by_kind[twin::index_of(
          twin::entity_kind::parking_sensor)]
        == city.count(twin::entity_kind::parking_sensor) + 1);
  auto state_of = [&](twin::entity_id id) {
    std::optional<twin::entity_state> result;
    self->request(handles->front, 5s, caf::get_atom_v, id)
      .receive([&](twin::entity_state& x) { result = std::move(x); },
               [](caf::error&) {});
    return result;
  };
  auto park = state_of(car_park);
  REQUIRE(park);
  CHECK(park->as<twin::parking_sensor_state>().free == 118);
  CHECK(park->num_applied == 2);
  auto weather = state_of(station);
  REQUIRE(weather);
  CHECK(twin::value_of(*weather, twin::quantity::temperature) == 18.5);
  auto metrics = ingest::render_prometheus(s, &stats);
  CHECK(metrics.find("citytwin_ingest_entities_created_total 2\n")
        != std::string::npos);
  CHECK(metrics.find("citytwin_entities_created_total 2\n")
        != std::string::npos);
  CHECK(metrics.find("{reason=\"create_limit\"} 1\n") != std::string::npos);
  c.stop();
  actors::stop_twin(sys, *handles);
}
