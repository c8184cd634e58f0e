// tests/adapters/ngsi/ngsi_alerts.cpp: the rules' alerts are NGSI-LD
// entities of type Alert in the city's tenant: queried, delivered through
// subscriptions, and written by the twin alone.
#include "actors/spawn_rules.hpp"
#include "actors/type_ids.hpp"
#include "adapters/broker/alert_entity.hpp"
#include "adapters/broker/tenant_actor.hpp"
#include "adapters/broker/twin_mirror.hpp"
#include "adapters/rules/rule_file.hpp"
#include "eventually.hpp"
#include "ngsi_fixture.hpp"
#include "running_twin.hpp"
#include "twin/rules/city_index.hpp"
#include "webhook_receiver.hpp"

#include <caf/scoped_actor.hpp>

using namespace citytwin;
using namespace citytwin::test;
using nlohmann::json;

namespace {

constexpr const char* access_text = R"(version: 1
tenants:
  - name: test
    notify_allow: [127.0.0.1/32]
    sharing: [ { type: "*", level: private } ]
tokens:
  - { name: demo-admin, tenant: test, role: admin, sha256: bba62272949dc8ca1b1782eeceeb864e0e7a036a6abf18d29966e4518312aff4 }
  - { name: demo-operator, tenant: test, role: operator, sha256: ca4e47988ab244d9799b1190ca0dc9830fade77400c65821d70b3ab7e02462d9 }
)";

constexpr std::string_view busy_rule = R"(version: 1
rules:
  - id: busy-road
    for_each: road_segment
    when:
      - attribute: vehicle_flow
        above: 500
    then:
      - alert: threshold
        severity: warning
        text: busy road
)";

struct alert_fixture : running_twin {
  std::unique_ptr<ngsi_fixture> api_fixture;
  actors::running_rules rules;
  twin::entity_id road{twin::entity_kind::road_segment, 3};

  alert_fixture() {
    auto access = broker::parse_access_config(access_text, "inline");
    REQUIRE(access);
    api_fixture = std::make_unique<ngsi_fixture>(
      std::move(*access), sys.get(), [this](broker::broker& brk) {
        broker::seed_live_entities(*brk.seeding("test"), city);
      });
    auto tenant = api_fixture->brk.tenant("test");
    REQUIRE_FALSE(broker::attach_twin(*sys, handles, tenant, "test"));
    auto parsed = rules::parse_rule_file(busy_rule, "test.yaml", city.name);
    REQUIRE(parsed);
    auto bound = rules::bind(
      std::make_shared<const rules::rule_set>(std::move(*parsed)),
      std::make_shared<const rules::city_index>(city));
    REQUIRE(bound);
    rules = actors::spawn_rules(
      *sys, handles, city.name,
      std::make_shared<const rules::bound_rules>(std::move(*bound)));
    caf::anon_send(rules.alerts, caf::subscribe_atom_v,
                   caf::actor_cast<actors::alert_listener_actor>(tenant));
  }

  ~alert_fixture() {
    actors::stop_rules(*sys, rules);
    api_fixture.reset();
  }

  void flow(double v, twin::time_ms t) {
    caf::anon_send(handles.front, actors::observe_atom_v,
                   twin::reading_batch{
                     {road, t, v, twin::quantity::vehicle_flow}});
  }

  // Swaps the rules for `yaml`'s and waits until every RULES actor has
  // them: readings sent before would reach the old rules.
  void reload(const std::string& yaml) {
    auto parsed = rules::parse_rule_file(yaml, "test.yaml", city.name);
    REQUIRE(parsed);
    auto bound = rules::bind(
      std::make_shared<const rules::rule_set>(std::move(*parsed)),
      std::make_shared<const rules::city_index>(city));
    REQUIRE(bound);
    actors::reload_rules(rules, std::make_shared<const rules::bound_rules>(
                                  std::move(*bound)));
    caf::scoped_actor self{*sys};
    for (const auto& e : rules.evaluators)
      self->request(e, std::chrono::seconds(10), caf::get_atom_v,
                    actors::rules_atom_v)
        .receive([](const std::vector<rules::rule_status>&) {},
                 [](const caf::error& err) { FAIL(twin::describe(err)); });
  }

  json virtual_sensors() {
    auto res = api_fixture->call("GET", api + "/entities?type=VirtualSensor",
                                 {bearer("demo-admin")});
    REQUIRE(res.status == 200);
    return api_fixture->json_of(res);
  }

  json alerts() {
    auto res = api_fixture->call("GET", api + "/entities?type=Alert",
                                 {bearer("demo-admin")});
    REQUIRE(res.status == 200);
    return api_fixture->json_of(res);
  }
};

constexpr twin::time_ms t0 = 1'700'000'000'000;

} // namespace

TEST_CASE("a rule's alert is an NGSI-LD Alert entity with its lifecycle",
          "[broker][ngsi][rules]") {
  alert_fixture f;
  CHECK(f.alerts().empty());
  f.flow(800, t0);
  REQUIRE(eventually([&] { return f.alerts().size() == 1; }));
  auto a = f.alerts().at(0);
  CHECK(a["id"] == broker::alert_urn(1, "test"));
  CHECK(a["type"] == "Alert");
  CHECK(a["category"]["value"] == "threshold");
  CHECK(a["severity"]["value"] == "warning");
  CHECK(a["status"]["value"] == "raised");
  CHECK(a["alertSource"]["object"] == twin::to_urn(f.road, "test"));
  CHECK_THAT(a["why"]["value"].get<std::string>(),
             Catch::Contains("vehicle_flow 800 > 500"));
  // The condition ends: the same entity says cleared.
  f.flow(100, t0 + 60'000);
  REQUIRE(eventually([&] {
    auto all = f.alerts();
    return all.size() == 1 && all[0]["status"]["value"] == "cleared";
  }));
  CHECK(f.alerts().at(0).contains("dateCleared"));
}

TEST_CASE("subscriptions to type Alert deliver raised and cleared alerts",
          "[broker][ngsi][rules]") {
  alert_fixture f;
  webhook_receiver hook;
  auto body = json{{"type", "Subscription"},
                   {"entities", {{{"type", "Alert"}}}},
                   {"notification", {{"endpoint", {{"uri", hook.uri()}}}}}};
  auto res = f.api_fixture->call("POST", api + "/subscriptions",
                                 {bearer("demo-admin"), json_type},
                                 body.dump());
  REQUIRE(res.status == 201);
  auto statuses = [&] {
    std::vector<std::string> result;
    for (const auto& n : hook.received())
      for (const auto& e : n["data"])
        if (e.contains("status"))
          result.push_back(e["status"]["value"].get<std::string>());
    return result;
  };
  // One change at a time: a subscriber that is behind gets the latest
  // state of an entity (coalesced), as for any entity.
  f.flow(900, t0);
  REQUIRE(eventually([&] { return !statuses().empty(); }));
  f.flow(50, t0 + 60'000);
  REQUIRE(eventually([&] {
    auto s = statuses();
    return std::find(s.begin(), s.end(), "cleared") != s.end();
  }));
  auto s = statuses();
  CHECK(s.front() == "raised");
  CHECK(s.back() == "cleared");
}

TEST_CASE("clients cannot write Alert entities, whatever their role",
          "[broker][ngsi][rules]") {
  alert_fixture f;
  f.flow(800, t0);
  REQUIRE(eventually([&] { return f.alerts().size() == 1; }));
  auto id = broker::alert_urn(1, "test");
  for (const auto& [method, path] :
       std::vector<std::pair<std::string, std::string>>{
         {"PATCH", "/entities/" + id + "/attrs/status"},
         {"PATCH", "/entities/" + id + "/attrs"},
         {"DELETE", "/entities/" + id},
         {"PUT", "/entities/" + id}}) {
    INFO(method << " " << path);
    auto res = f.api_fixture->call(method, api + path,
                                   {bearer("demo-admin"), json_type},
                                   R"({"status":{"type":"Property","value":"x"}})");
    CHECK(res.status == 403);
    CHECK_THAT(res.body, Catch::Contains("/api/alerts/<id>/ack"));
  }
  // Nor through the collection or batch operations, under any id of the
  // twin's namespaces.
  auto fake = [](const std::string& urn) {
    return json{{"id", urn},
                {"type", "Alert"},
                {"status", {{"type", "Property"}, {"value", "x"}}}}
      .dump();
  };
  auto created = f.api_fixture->call("POST", api + "/entities",
                                     {bearer("demo-admin"), json_type},
                                     fake(broker::alert_urn(2, "test")));
  CHECK(created.status == 403);
  for (const auto& op : {"create", "upsert", "update"}) {
    INFO(op);
    auto res = f.api_fixture->call(
      "POST", api + "/entityOperations/" + op,
      {bearer("demo-admin"), json_type},
      "[" + fake(id) + ","
        + fake("urn:ngsi-ld:VirtualSensor:test:flow-all") + "]");
    CHECK(res.status == 207);
    auto body = f.api_fixture->json_of(res);
    CHECK(body["success"].empty());
    CHECK(body["errors"].size() == 2);
  }
  auto deleted = f.api_fixture->call("POST", api + "/entityOperations/delete",
                                     {bearer("demo-admin"), json_type},
                                     "[\"" + id + "\"]");
  CHECK(deleted.status == 207);
  CHECK(f.alerts().size() == 1);
  CHECK(f.alerts().at(0)["status"]["value"] == "raised");
  // Every refusal is counted.
  CHECK(f.api_fixture->brk.refusals()["twin_owned_write"] == 4 + 1 + 6 + 1);
}

TEST_CASE("aggregate groups are NGSI-LD VirtualSensor entities",
          "[broker][ngsi][rules]") {
  // A second fixture flavour: the rules file carries an aggregate.
  alert_fixture f;
  f.reload(std::string{busy_rule}
           + "aggregates:\n  - { id: flow, attribute: vehicle_flow, of: "
             "[road_segment], function: max, window: 1m }\n");
  // Readings a minute apart: the first window closes with the second.
  auto sensors = [&f] { return f.virtual_sensors(); };
  for (int i = 0; i < 3; ++i)
    f.flow(300 + 100 * i, t0 + i * 60'000);
  REQUIRE(eventually([&] { return sensors().size() == 1; }));
  auto v = sensors().at(0);
  CHECK(v["id"] == "urn:ngsi-ld:VirtualSensor:test:flow-all");
  CHECK(v["function"]["value"] == "max");
  CHECK(v["sourceAttribute"]["value"] == "vehicle_flow");
  CHECK(v["value"]["value"].get<double>() >= 300);
  CHECK(v["sampleCount"]["value"].get<uint64_t>() >= 1);
  // Only the twin writes them.
  auto res = f.api_fixture->call(
    "DELETE", api + "/entities/urn:ngsi-ld:VirtualSensor:test:flow-all",
    {bearer("demo-admin")});
  CHECK(res.status == 403);
}

TEST_CASE("a rule's derived attribute is a VirtualSensor about its anchor",
          "[broker][ngsi][rules]") {
  alert_fixture f;
  f.reload(R"(version: 1
rules:
  - id: busy-road
    for_each: road_segment
    when:
      - attribute: vehicle_flow
        above: 500
    then:
      - derive: busy_flow
        function: max
    otherwise:
      - derive: busy_flow
        value: 0
)");
  f.flow(800, t0);
  auto urn = std::string{"urn:ngsi-ld:VirtualSensor:test:busy-road-"
                         "RoadSegment-3"};
  auto value = [&f, &urn]() -> double {
    for (const auto& v : f.virtual_sensors())
      if (v["id"] == urn)
        return v["busyFlow"]["value"].get<double>();
    return -1;
  };
  REQUIRE(eventually([&] { return value() == 800; }));
  auto doc = f.virtual_sensors().at(0);
  CHECK(doc["refEntity"]["object"] == twin::to_urn(f.road, "test"));
  CHECK(doc["derivedAttribute"]["value"] == "busy_flow");
  CHECK(doc["rule"]["value"] == "busy-road");
  CHECK(doc["value"]["value"] == 800);
  // It follows its input while the rule is in force, and takes the
  // `otherwise` value when the rule lets go.
  f.flow(900, t0 + 60'000);
  REQUIRE(eventually([&] { return value() == 900; }));
  f.flow(100, t0 + 120'000);
  REQUIRE(eventually([&] { return value() == 0; }));
}
