// tests/adapters/ngsi/ngsi_commands.cpp: an operator commands the live
// twin's lamps and traffic lights through NGSI-LD.
#include "actors/runtime.hpp"
#include "actors/spawn_twin.hpp"
#include "actors/type_ids.hpp"
#include "adapters/broker/tenant_actor.hpp"
#include "adapters/broker/twin_mirror.hpp"
#include "ngsi_fixture.hpp"
#include "running_twin.hpp"
#include "twin/command.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>

using namespace citytwin;
using namespace citytwin::test;

namespace {

// Tenant `test` (the small city) with an admin, an operator and a planner,
// and tenant `other`, whose operator must not reach `test`'s devices.
constexpr const char* access_text = R"(version: 1
tenants:
  - name: test
    sharing: [ { type: "*", level: private } ]
  - name: other
    sharing: [ { type: "*", level: private } ]
tokens:
  - { name: demo-admin, tenant: test, role: admin, sha256: bba62272949dc8ca1b1782eeceeb864e0e7a036a6abf18d29966e4518312aff4 }
  - { name: demo-operator, tenant: test, role: operator, sha256: ca4e47988ab244d9799b1190ca0dc9830fade77400c65821d70b3ab7e02462d9 }
  - { name: demo-planner, tenant: test, role: planner, sha256: f8f82239a8652a9aa55b00c919a7e74adb59e69badc440e2a5da7684ffee4786 }
)";

// A twin of the small city with the broker attached, on loopback.
struct command_fixture : running_twin {
  std::unique_ptr<ngsi_fixture> api_fixture;

  command_fixture() {
    auto access = broker::parse_access_config(access_text, "inline");
    REQUIRE(access);
    api_fixture = std::make_unique<ngsi_fixture>(
      std::move(*access), sys.get(), [this](broker::broker& brk) {
        broker::seed_live_entities(*brk.seeding("test"), city);
      });
    REQUIRE_FALSE(broker::attach_twin(*sys, handles,
                                      api_fixture->brk.tenant("test"), "test"));
  }

  // The API stops before the twin (running_twin's destructor).
  ~command_fixture() {
    api_fixture.reset();
  }

  std::string urn(twin::entity_id id) const {
    return twin::to_urn(id, city.name);
  }

  ngsi::client_response command(const std::string& who, twin::entity_id id,
                                const std::string& attr,
                                const std::string& body) {
    headers h{json_type};
    if (!who.empty())
      h.push_back(bearer(who));
    return api_fixture->call("PATCH",
                             api + "/entities/" + urn(id) + "/attrs/" + attr,
                             h, body);
  }

  // The twin's own state of `id`, asked of the twin (not the broker).
  twin::entity_state state_of(twin::entity_id id) {
    caf::scoped_actor self{*sys};
    twin::entity_state result;
    self->request(handles.front, std::chrono::seconds(10), caf::get_atom_v, id)
      .receive([&](twin::entity_state& st) { result = std::move(st); },
               [](caf::error&) {});
    return result;
  }
};

} // namespace

TEST_CASE("an operator dims a lamp through NGSI-LD; the twin and the API "
          "show it",
          "[broker][ngsi][command]") {
  command_fixture f;
  twin::entity_id lamp{twin::entity_kind::street_lamp, 3};
  auto res = f.command("demo-operator", lamp, "dimLevelCommand",
                       R"({"type":"Property","value":0.8,
                           "reason":{"type":"Property",
                                     "value":"event at the stadium"}})");
  CHECK(res.status == 204);
  // Answered after the lamp executed it: its actor already holds it.
  auto st = f.state_of(lamp);
  CHECK(st.as<twin::street_lamp_state>().dim_level == 0.8);
  CHECK(st.as<twin::street_lamp_state>().commands == 1);
  // The broker shows it once the delta has reached the tenant.
  auto admin = bearer("demo-admin");
  REQUIRE(eventually([&] {
    auto j = f.api_fixture->json_of(
      f.api_fixture->call("GET", api + "/entities/" + f.urn(lamp), {admin}));
    return j.contains("commands") && j["commands"]["value"] == 1
           && j["dimLevel"]["value"] == 0.8;
  }));
  // Admins command too; the bare value form is accepted.
  CHECK(f.command("demo-admin", lamp, "dimLevelCommand", "0.2").status == 204);
  CHECK(f.state_of(lamp).as<twin::street_lamp_state>().dim_level == 0.2);
}

TEST_CASE("commands are refused with the reason and change nothing",
          "[broker][ngsi][command]") {
  command_fixture f;
  twin::entity_id lamp{twin::entity_kind::street_lamp, 5};
  auto value = R"({"value":0.5})";
  // Who: a planner never steers, anonymous callers never write.
  CHECK(f.command("demo-planner", lamp, "dimLevelCommand", value).status
        == 403);
  CHECK(f.command("", lamp, "dimLevelCommand", value).status == 401);
  // What: out of range, not a number, not an actuator, no such lamp.
  auto res = f.command("demo-operator", lamp, "dimLevelCommand",
                       R"({"value":1.5})");
  CHECK(res.status == 400);
  CHECK_THAT(res.body, Catch::Contains("[0, 1]"));
  CHECK(f.command("demo-operator", lamp, "dimLevelCommand",
                  R"({"value":"bright"})")
          .status
        == 400);
  CHECK(f.command("demo-operator", {twin::entity_kind::waste_bin, 1},
                  "dimLevelCommand", value)
          .status
        == 400);
  res = f.command("demo-operator", {twin::entity_kind::street_lamp, 9999},
                  "dimLevelCommand", value);
  CHECK(res.status == 404);
  // Another tenant's city: unknown here.
  res = f.api_fixture->call(
    "PATCH",
    api + "/entities/urn:ngsi-ld:StreetLight:other:000001/attrs/"
          "dimLevelCommand",
    {bearer("demo-operator"), json_type}, value);
  CHECK(res.status == 404);
  // The device: a lamp that reports a fault cannot be dimmed.
  res = f.api_fixture->call("PATCH", api + "/entities/" + f.urn(lamp) + "/attrs",
                            {bearer("demo-operator"), json_type},
                            R"({"lampFault":{"value":1}})");
  REQUIRE(res.status == 204);
  REQUIRE(eventually(
    [&] { return f.state_of(lamp).as<twin::street_lamp_state>().fault; }));
  res = f.command("demo-operator", lamp, "dimLevelCommand", value);
  CHECK(res.status == 422);
  CHECK_THAT(res.body, Catch::Contains("fault"));
  CHECK(f.state_of(lamp).as<twin::street_lamp_state>().commands == 0);
  // A command is sent alone with PATCH: neither stored beside the entity
  // nor read back.
  res = f.api_fixture->call("PATCH", api + "/entities/" + f.urn(lamp) + "/attrs",
                            {bearer("demo-operator"), json_type},
                            R"({"dimLevelCommand":{"value":0.5}})");
  CHECK(res.status == 400);
  CHECK_THAT(res.body, Catch::Contains("send it alone"));
  CHECK(f.api_fixture
          ->call("PUT",
                 api + "/entities/" + f.urn(lamp) + "/attrs/dimLevelCommand",
                 {bearer("demo-operator"), json_type}, value)
          .status
        == 405);
}

TEST_CASE("an operator sets a traffic light's plan and mode through NGSI-LD",
          "[broker][ngsi][command]") {
  command_fixture f;
  auto [light, phases] = test::first_signalised(f.city);
  REQUIRE(phases > 0);
  std::string plan = "[";
  for (uint8_t i = 0; i < phases; ++i)
    plan += (i > 0 ? "," : "") + std::to_string(30 + i);
  plan += "]";
  CHECK(f.command("demo-operator", light, "signalPlanCommand",
                  R"({"value":)" + plan + "}")
          .status
        == 204);
  auto st = f.state_of(light).as<twin::intersection_state>();
  CHECK(st.green_s[0] == 30);
  CHECK(st.green_s[phases - 1] == 30 + phases - 1);
  // A plan for another number of phases: the light refuses it.
  auto res = f.command("demo-operator", light, "signalPlanCommand",
                       phases == 2 ? R"({"value":[30,30,30]})"
                                   : R"({"value":[30,30]})");
  CHECK(res.status == 422);
  CHECK(f.command("demo-operator", light, "signalPlanCommand",
                  R"({"value":[30,"long"]})")
          .status
        == 400);
  CHECK(f.command("demo-operator", light, "signalModeCommand",
                  R"({"value":"flashing"})")
          .status
        == 204);
  CHECK(f.state_of(light).as<twin::intersection_state>().mode
        == twin::signal_mode::flashing);
  CHECK(f.command("demo-operator", light, "signalModeCommand",
                  R"({"value":"disco"})")
          .status
        == 400);
}
