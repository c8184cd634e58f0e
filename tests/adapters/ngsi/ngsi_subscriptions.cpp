// tests/adapters/ngsi/ngsi_subscriptions.cpp
// over HTTP webhooks, a real mosquitto and WebSocket; fan-out of one
// sensor to ten subscribers; the live twin inside the broker.
#include "adapters/mqtt/mqtt_collector.hpp"
#include "ngsi_fixture.hpp"
#include "webhook_receiver.hpp"
#include "adapters/mqtt/require_broker.hpp"

#include "actors/runtime.hpp"
#include "actors/spawn_twin.hpp"
#include "actors/type_ids.hpp"
#include "adapters/broker/tenant_actor.hpp"
#include "adapters/broker/twin_mirror.hpp"
#include "adapters/mqtt/mosquitto_process.hpp"
#include "viz/ws_client.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>

#include <atomic>
#include <map>
#include <mutex>

using namespace citytwin;
using namespace citytwin::test;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

std::string subscription_for(const std::string& type,
                             const std::string& endpoint,
                             const std::string& extra = "") {
  auto body = json{{"type", "Subscription"},
                   {"entities", {{{"type", type}}}},
                   {"notification", {{"endpoint", {{"uri", endpoint}}}}}};
  if (!extra.empty())
    body.update(json::parse(extra));
  return body.dump();
}

std::string create_subscription(ngsi_fixture& f, const std::string& body) {
  auto res = f.call("POST", api + "/subscriptions",
                    {bearer("demo-admin"), json_type}, body);
  REQUIRE(res.status == 201);
  auto location = res.header("location");
  return location.substr(location.rfind('/') + 1);
}

// Values of `attr` in the order notifications brought them.
std::vector<double> values_in(const std::vector<json>& notifications,
                              const std::string& attr) {
  std::vector<double> result;
  for (const auto& n : notifications)
    for (const auto& e : n["data"])
      if (e.contains(attr))
        result.push_back(e[attr]["value"].get<double>());
  return result;
}

} // namespace

TEST_CASE("NGSI-LD subscriptions are created, read, patched and deleted, "
          "and a webhook gets the Notification body (ETSI 028_01)",
          "[broker][ngsi][subscriptions]") {
  ngsi_fixture f;
  webhook_receiver hook;
  auto admin = bearer("demo-admin");
  auto id = create_subscription(
      f, subscription_for("Building", hook.uri(),
                          R"({"watchedAttributes":["height"],
                            "q":"height>10",
                            "notification":{"attributes":["height"],
                              "endpoint":{"uri":")"
                              + hook.uri() + R"("}}})"));
  auto res = f.call("GET", api + "/subscriptions/" + id, {admin});
  REQUIRE(res.status == 200);
  auto sub = f.json_of(res);
  CHECK(sub["id"] == id);
  CHECK(sub["q"] == "height>10");
  CHECK(sub["status"] == "active");
  // A matching create notifies; a change of an unwatched attribute or one
  // failing q does not.
  REQUIRE(f.call("POST", api + "/entities", {admin, json_type},
                 R"({"id":"urn:ngsi-ld:Building:t1","type":"Building",
                     "height":{"type":"Property","value":20},
                     "name":{"type":"Property","value":"A"}})")
              .status
          == 201);
  REQUIRE(eventually([&] { return hook.received().size() == 1; }));
  auto n = hook.received()[0];
  CHECK(n["type"] == "Notification");
  CHECK(n["subscriptionId"] == id);
  CHECK(n["data"][0]["id"] == "urn:ngsi-ld:Building:t1");
  CHECK(n["data"][0]["height"]["value"] == 20);
  CHECK_FALSE(n["data"][0].contains("name"));
  f.call("PATCH", api + "/entities/urn:ngsi-ld:Building:t1/attrs/name",
         {admin, json_type}, R"({"value":"B"})");
  f.call("PATCH", api + "/entities/urn:ngsi-ld:Building:t1/attrs/height",
         {admin, json_type}, R"({"value":5})");
  f.call("PATCH", api + "/entities/urn:ngsi-ld:Building:t1/attrs/height",
         {admin, json_type}, R"({"value":30})");
  REQUIRE(eventually([&] { return hook.received().size() == 2; }));
  CHECK(values_in(hook.received(), "height") == std::vector<double>{20, 30});
  // PATCH pauses it; DELETE removes it.
  CHECK(f.call("PATCH", api + "/subscriptions/" + id, {admin, json_type},
               R"({"isActive":false})")
            .status
        == 204);
  CHECK(
      f.json_of(f.call("GET", api + "/subscriptions/" + id, {admin}))["status"]
      == "paused");
  // The webhook has both bodies once it answered; the delivery worker
  // counts each after reading that answer, a moment later.
  CHECK(eventually([&] {
    sub = f.json_of(f.call("GET", api + "/subscriptions/" + id, {admin}));
    return sub["notification"]["timesSent"] == 2;
  }));
  CHECK(sub["notification"]["timesSent"] == 2);
  CHECK(sub["queueStatus"]["delivered"] == 2);
  CHECK(f.call("DELETE", api + "/subscriptions/" + id, {admin}).status == 204);
  CHECK(f.call("GET", api + "/subscriptions/" + id, {admin}).status == 404);
  // Bad subscriptions: each a 400.
  for (
      const auto* bad :
      {R"({"type":"Subscription","notification":{"endpoint":{"uri":"http://x"}}})",
       R"({"type":"Subscription","entities":[{"type":"A"}]})",
       R"({"type":"Subscription","entities":[{"type":"A"}],"q":"((",
            "notification":{"endpoint":{"uri":"http://x"}}})",
       R"({"type":"Subscription","entities":[{"type":"A"}],
            "notification":{"endpoint":{"uri":"ftp://x"}}})",
       R"({"type":"Subscription","entities":[{"type":"A"}],
            "queue":{"capacity":0},
            "notification":{"endpoint":{"uri":"http://x"}}})"})
    CHECK(f.call("POST", api + "/subscriptions", {admin, json_type}, bad).status
          == 400);
}

TEST_CASE("NGSI-LD MQTT notifications: one update, exactly one message on "
          "the endpoint's topic (ETSI 058_01_01)",
          "[broker][ngsi][subscriptions][mqtt]") {
  mqtt::mosquitto_process mosquitto;
  require_broker(mosquitto, publishes::no);
  ngsi_fixture f;
  mqtt_collector got{mosquitto.port(), "ngsild-test-suite/topic"};
  REQUIRE(got.wait_ready());
  auto admin = bearer("demo-admin");
  REQUIRE(f.call("POST", api + "/entities", {admin, json_type},
                 R"({"id":"urn:ngsi-ld:Building:m1","type":"Building",
                     "height":{"type":"Property","value":1}})")
              .status
          == 201);
  create_subscription(
      f, subscription_for("Building",
                          "mqtt://127.0.0.1:" + std::to_string(mosquitto.port())
                              + "/ngsild-test-suite/topic",
                          R"({"watchedAttributes":["height"]})"));
  auto patch_height = [&](int value) {
    f.call("PATCH", api + "/entities/urn:ngsi-ld:Building:m1/attrs/height",
           {admin, json_type}, json{{"value", value}}.dump());
  };
  patch_height(2);
  REQUIRE(eventually([&] { return got.messages().size() >= 1; }));
  // No waiting to see that no second message comes: a second update is
  // the marker. The subscription publishes in order over one connection,
  // so a duplicate of the first would arrive before the marker's message.
  patch_height(3);
  REQUIRE(eventually([&] { return got.messages().size() >= 2; }));
  auto messages = got.messages();
  REQUIRE(messages.size() == 2);
  auto n = json::parse(messages[0]);
  CHECK(n["type"] == "Notification");
  CHECK(n["data"][0]["height"]["value"] == 2);
  CHECK(json::parse(messages[1])["data"][0]["height"]["value"] == 3);
}

TEST_CASE("NGSI-LD fan-out: one sensor to ten subscribers over webhooks, "
          "MQTT and WebSocket; each gets every update or counts it "
          "coalesced",
          "[broker][ngsi][subscriptions][mqtt]") {
  mqtt::mosquitto_process mosquitto;
  require_broker(mosquitto, publishes::no);
  ngsi_fixture f;
  auto admin = bearer("demo-admin");
  REQUIRE(f.call("POST", api + "/entities", {admin, json_type},
                 R"({"id":"urn:ngsi-ld:NoiseLevel:s1","type":"NoiseLevel",
                     "level":{"type":"Property","value":-1}})")
              .status
          == 201);
  constexpr int updates = 200;
  std::vector<std::unique_ptr<webhook_receiver>> hooks;
  std::vector<std::unique_ptr<mqtt_collector>> mqtts;
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) {
    hooks.push_back(std::make_unique<webhook_receiver>());
    ids.push_back(create_subscription(
        f, subscription_for("NoiseLevel", hooks.back()->uri())));
  }
  for (int i = 0; i < 3; ++i) {
    auto topic = "fanout/" + std::to_string(i);
    mqtts.push_back(std::make_unique<mqtt_collector>(mosquitto.port(), topic));
    REQUIRE(mqtts.back()->wait_ready());
    ids.push_back(create_subscription(
        f, subscription_for("NoiseLevel", "mqtt://127.0.0.1:"
                                              + std::to_string(mosquitto.port())
                                              + "/" + topic)));
  }
  // WebSocket subscribers attach to their subscription's stream.
  std::vector<std::thread> sockets;
  std::mutex ws_mtx;
  std::map<int, std::vector<json>> ws_got;
  std::atomic<bool> done{false};
  for (int i = 0; i < 3; ++i) {
    auto id = create_subscription(
        f, subscription_for("NoiseLevel", "urn:citytwin:websocket"));
    ids.push_back(id);
    auto url = "ws://127.0.0.1:" + std::to_string(f.port()) + api
               + "/subscriptions/" + id + "/stream?token=demo-admin-secret";
    sockets.emplace_back([&, url, i] {
      viz::run_ws_client(
          url,
          [&](const std::string& payload, bool) {
            std::lock_guard guard{ws_mtx};
            ws_got[i].push_back(json::parse(payload, nullptr, false));
            return !done.load();
          },
          20s);
    });
  }
  for (int v = 0; v < updates; ++v)
    REQUIRE(f.call("PATCH", api + "/entities/urn:ngsi-ld:NoiseLevel:s1/attrs",
                   {admin, json_type},
                   R"({"level":{"type":"Property","value":)" + std::to_string(v)
                       + "}}")
                .status
            == 204);
  // Every subscriber ends with the last value, and its queue accounts for
  // every update: delivered + coalesced + dropped = offered = updates.
  auto last_value = [&](size_t i) -> double {
    std::vector<double> values;
    if (i < 4)
      values = values_in(hooks[i]->received(), "level");
    else if (i < 7) {
      std::vector<json> ns;
      for (const auto& m : mqtts[i - 4]->messages())
        ns.push_back(json::parse(m));
      values = values_in(ns, "level");
    } else {
      std::lock_guard guard{ws_mtx};
      values = values_in(ws_got[static_cast<int>(i - 7)], "level");
    }
    return values.empty() ? -2 : values.back();
  };
  for (size_t i = 0; i < ids.size(); ++i) {
    INFO("subscriber " << i);
    CHECK(eventually([&] { return last_value(i) == updates - 1; }, 15s));
    // Counted once the subscriber's answer is read, a moment after it
    // has the value.
    json sub;
    CHECK(eventually([&] {
      sub = f.json_of(f.call("GET", api + "/subscriptions/" + ids[i], {admin}));
      const auto& q = sub["queueStatus"];
      return q["pending"] == 0
             && q["delivered"].get<int>() + q["coalesced"].get<int>()
                      + q["dropped"].get<int>()
                  == updates;
    }));
    const auto& q = sub["queueStatus"];
    CHECK(q["offered"] == updates);
    CHECK(q["pending"] == 0);
    CHECK(q["delivered"].get<int>() + q["coalesced"].get<int>()
              + q["dropped"].get<int>()
          == updates);
    CHECK(q["dropped"] == 0);
  }
  done = true;
  f.listener->stop();
  for (auto& t : sockets)
    t.join();
}

TEST_CASE("NGSI-LD over the live twin: writes become readings, readings "
          "notify subscribers",
          "[broker][ngsi][subscriptions]") {
  caf::actor_system_config cfg;
  REQUIRE_FALSE(actors::configure(cfg, {"sharing", 2}));
  caf::actor_system sys{cfg};
  auto city = small_city();
  auto handles = actors::spawn_twin(sys, city, {2, 0});
  REQUIRE(handles);
  auto cfg_text = std::string{R"(version: 1
tenants:
  - name: test
    sharing: [ { type: "*", level: private } ]
    notify_allow: [127.0.0.1/32]
tokens:
  - { name: demo-admin, tenant: test, role: admin, sha256: bba62272949dc8ca1b1782eeceeb864e0e7a036a6abf18d29966e4518312aff4 }
)"};
  auto access = broker::parse_access_config(cfg_text, "inline");
  REQUIRE(access);
  {
    ngsi_fixture f{std::move(*access), &sys, [&city](broker::broker& brk) {
                     broker::seed_live_entities(*brk.seeding("test"), city);
                   }};
    REQUIRE_FALSE(
        broker::attach_twin(sys, *handles, f.brk.tenant("test"), "test"));
    webhook_receiver hook;
    auto admin = bearer("demo-admin");
    create_subscription(
        f, subscription_for("StreetLight", hook.uri(),
                            R"({"watchedAttributes":["dimLevel"]})"));
    auto lamp = twin::to_urn(city.things.front().id, city.name);
    REQUIRE(city.things.front().id.kind == twin::entity_kind::street_lamp);
    // Every entity of the twin is an NGSI-LD entity.
    auto res
        = f.call("GET", api + "/entities?type=StreetLight&count=true", {admin});
    CHECK(res.header("ngsild-results-count")
          == std::to_string(city.count(twin::entity_kind::street_lamp)));
    // A write of a measured attribute becomes a twin reading...
    res = f.call("PATCH", api + "/entities/" + lamp + "/attrs",
                 {admin, json_type},
                 R"({"dimLevel":{"type":"Property","value":0.25}})");
    CHECK(res.status == 204);
    // ... which the twin applies and the subscriber hears about.
    REQUIRE(eventually([&] {
      auto v = values_in(hook.received(), "dimLevel");
      return !v.empty() && v.back() == 0.25;
    }));
    auto j = f.json_of(f.call("GET", api + "/entities/" + lamp, {admin}));
    CHECK(j["dimLevel"]["value"] == 0.25);
    // The twin's own checks apply: a lamp has no pm10, and live entities
    // cannot be deleted.
    res = f.call("PATCH", api + "/entities/" + lamp + "/attrs",
                 {admin, json_type}, R"({"pm10":{"value":3}})");
    CHECK(res.status == 400);
    CHECK(f.call("DELETE", api + "/entities/" + lamp, {admin}).status == 422);
    // Other attributes are kept beside the live ones.
    res = f.call("POST", api + "/entities/" + lamp + "/attrs",
                 {admin, json_type},
                 R"({"owner":{"type":"Property","value":"roads dept"}})");
    CHECK(res.status == 204);
    f.brk.stop_tenants({handles->front});
  }
  actors::stop_twin(sys, *handles);
}

TEST_CASE("NGSI-LD delivery: a dead and a slow webhook slow neither the "
          "writers nor a fast subscriber, and lose nothing silently",
          "[broker][ngsi][subscriptions]") {
  ngsi_fixture f;
  auto admin = bearer("demo-admin");
  REQUIRE(f.call("POST", api + "/entities", {admin, json_type},
                 R"({"id":"urn:ngsi-ld:Meter:m1","type":"Meter",
                     "reading":{"type":"Property","value":-1}})")
              .status
          == 201);
  webhook_receiver fast;
  // A slow endpoint: every notification takes 300 ms to answer.
  std::atomic<int> slow_calls{0};
  ngsi::http_listener slow{{},
                           ngsi::answer_at_once([&](const ngsi::http_request&) {
                             ++slow_calls;
                             std::this_thread::sleep_for(300ms);
                             return ngsi::http_response{204, {}, {}};
                           })};
  std::string error;
  REQUIRE(slow.start(error));
  // A dead endpoint: a port nobody listens on (bound, then closed).
  uint16_t dead_port = 0;
  {
    ngsi::http_listener probe{
        {}, ngsi::answer_at_once([](const ngsi::http_request&) {
          return ngsi::http_response{};
        })};
    REQUIRE(probe.start(error));
    dead_port = probe.port();
  }
  auto fast_id = create_subscription(
      f, subscription_for("Meter", fast.uri(), R"({"queue":{"capacity":50}})"));
  auto slow_id = create_subscription(
      f, subscription_for("Meter",
                          "http://127.0.0.1:" + std::to_string(slow.port())
                              + "/slow",
                          R"({"queue":{"policy":"dropOldest","capacity":5}})"));
  auto dead_id = create_subscription(
      f, subscription_for("Meter", "http://127.0.0.1:"
                                       + std::to_string(dead_port) + "/dead"));
  constexpr int updates = 100;
  auto started = std::chrono::steady_clock::now();
  for (int v = 0; v < updates; ++v)
    REQUIRE(f.call("PATCH", api + "/entities/urn:ngsi-ld:Meter:m1/attrs",
                   {admin, json_type},
                   R"({"reading":{"type":"Property","value":)"
                       + std::to_string(v) + "}}")
                .status
            == 204);
  auto writing = std::chrono::steady_clock::now() - started;
  // The writers never waited for the slow one: 100 updates took less
  // than one of its answers would.
  CHECK(writing < 300ms);
  REQUIRE(eventually([&] {
    auto v = values_in(fast.received(), "reading");
    return !v.empty() && v.back() == updates - 1;
  }));
  auto status = [&](const std::string& id) {
    return f.json_of(f.call("GET", api + "/subscriptions/" + id, {admin}));
  };
  // The fast subscriber had all of it, delivered or coalesced, while the
  // slow one had answered only a few.
  auto fq = status(fast_id)["queueStatus"];
  CHECK(fq["offered"] == updates);
  CHECK(fq["dropped"] == 0);
  CHECK(fq["delivered"].get<int>() + fq["coalesced"].get<int>() == updates);
  CHECK(slow_calls.load() < 10);
  // The slow one drops its oldest beyond 5 and says so.
  auto sq = status(slow_id)["queueStatus"];
  CHECK(sq["offered"] == updates);
  CHECK(sq["dropped"].get<int>() > 0);
  CHECK(sq["delivered"].get<int>() + sq["coalesced"].get<int>()
            + sq["dropped"].get<int>() + sq["pending"].get<int>()
            + sq["inFlight"].get<int>()
        == updates);
  // The dead one failed, keeps its latest update queued, and counts.
  REQUIRE(eventually([&] {
    return status(dead_id)["notification"]["timesFailed"].get<int>() > 0;
  }));
  auto dead = status(dead_id);
  CHECK(dead["notification"]["status"] == "failed");
  CHECK(dead["notification"].contains("lastFailure"));
  auto dq = dead["queueStatus"];
  CHECK(dq["delivered"] == 0);
  CHECK(dq["coalesced"].get<int>() + dq["pending"].get<int>()
            + dq["inFlight"].get<int>()
        == updates);
  slow.stop();
}
