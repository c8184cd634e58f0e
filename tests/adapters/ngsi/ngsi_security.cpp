// tests/adapters/ngsi/ngsi_security.cpp
// subscribe across tenants, without or with bad credentials, or around the
// open-data rules is refused with the right status, counted, and discloses
// nothing.
#include "ngsi_fixture.hpp"

#include "adapters/broker/access_config.hpp"

#include <iostream>

using namespace citytwin;
using namespace citytwin::test;
using nlohmann::json;

namespace {

// A value only the demo tenant's private entity holds: no refused answer
// may contain it.
const std::string secret_value = "s3cr3t-floor-plan";
const std::string private_id = "urn:ngsi-ld:Building:private1";

struct attempt {
  std::string what;
  std::string method;
  std::string path;
  headers h;
  std::string body;
  int status;
};

std::string subscription_body(const std::string& type) {
  return json{
      {"type", "Subscription"},
      {"entities", {{{"type", type}}}},
      {"notification", {{"endpoint", {{"uri", "http://127.0.0.1:9/hook"}}}}}}
      .dump();
}

} // namespace

TEST_CASE("NGSI-LD security: cross-tenant, credential, role, open-data, "
          "size and path attempts are all refused and counted",
          "[broker][ngsi][security]") {
  ngsi_fixture f;
  auto admin = bearer("demo-admin");
  REQUIRE(f.call("POST", api + "/entities", {admin, json_type},
                 json{{"id", private_id},
                      {"type", "Building"},
                      {"plan", {{"type", "Property"}, {"value", secret_value}}}}
                     .dump())
              .status
          == 201);
  REQUIRE(f.call("POST", api + "/entities", {admin, json_type},
                 R"({"id":"urn:ngsi-ld:ParkingSensor:p1",
                     "type":"ParkingSensor"})")
              .status
          == 201);
  auto demo = std::pair<std::string, std::string>{"NGSILD-Tenant", "demo"};
  auto aarhus = std::pair<std::string, std::string>{"NGSILD-Tenant", "aarhus"};
  auto other = bearer("aarhus-admin");
  auto entity = api + "/entities/" + private_id;
  auto fragment = std::string{R"({"plan":{"type":"Property","value":"x"}})"};
  std::string big(70 << 10, ' ');
  big = "{\"id\":\"urn:ngsi-ld:Building:big\",\"type\":\"Building\",\"pad\":\""
        + std::string(70 << 10, 'x') + "\"}";
  std::vector<attempt> attempts = {
      // another tenant's token: an entity it may not read answers like a
      // missing one (404), so ids are not confirmed across tenants
      {"cross-tenant read", "GET", entity, {other, demo}, "", 404},
      {"cross-tenant query",
       "GET",
       api + "/entities?type=Building",
       {other, demo},
       "",
       403},
      {"cross-tenant write",
       "PATCH",
       entity + "/attrs",
       {other, demo, json_type},
       fragment,
       404},
      {"cross-tenant delete", "DELETE", entity, {other, demo}, "", 404},
      {"cross-tenant create",
       "POST",
       api + "/entities",
       {other, demo, json_type},
       R"({"id":"urn:ngsi-ld:Building:evil","type":"Building"})",
       403},
      {"cross-tenant subscription",
       "POST",
       api + "/subscriptions",
       {other, demo, json_type},
       subscription_body("Building"),
       403},
      {"cross-tenant batch",
       "POST",
       api + "/entityOperations/delete",
       {other, demo, json_type},
       json::array({private_id}).dump(),
       403},
      {"a shared type is not a licence to write it",
       "PATCH",
       api + "/entities/urn:ngsi-ld:ParkingSensor:p1/attrs",
       {other, demo, json_type},
       R"({"freeSpaces":{"value":3}})",
       403},
      {"own tenant reads nothing of another",
       "GET",
       entity,
       {admin, aarhus},
       "",
       404},
      // credentials
      {"missing token: read", "GET", entity, {}, "", 404},
      {"missing token: write",
       "POST",
       api + "/entities",
       {json_type},
       R"({"id":"urn:ngsi-ld:Building:anon","type":"Building"})",
       401},
      {"missing token: subscribe",
       "POST",
       api + "/subscriptions",
       {json_type},
       subscription_body("Building"),
       401},
      {"expired token", "GET", entity, {bearer("demo-expired")}, "", 401},
      {"unknown token", "GET", entity, {bearer("guess")}, "", 401},
      {"malformed Authorization",
       "GET",
       entity,
       {{"Authorization", "Basic ZGVtbzpkZW1v"}},
       "",
       401},
      {"unknown API key", "GET", entity, {{"X-Api-Key", "nope"}}, "", 401},
      // roles
      {"viewer writes",
       "PATCH",
       entity + "/attrs",
       {bearer("demo-viewer"), json_type},
       fragment,
       403},
      {"viewer deletes", "DELETE", entity, {bearer("demo-viewer")}, "", 403},
      {"viewer subscribes",
       "POST",
       api + "/subscriptions",
       {bearer("demo-viewer"), json_type},
       subscription_body("Building"),
       403},
      {"planner writes",
       "POST",
       api + "/entities",
       {bearer("demo-planner"), json_type},
       R"({"id":"urn:ngsi-ld:Building:p","type":"Building"})",
       403},
      {"API key reads private data",
       "GET",
       entity,
       {{"X-Api-Key", "acme-mobility-secret"}},
       "",
       404},
      {"API key writes",
       "PATCH",
       entity + "/attrs",
       {{"X-Api-Key", "acme-mobility-secret"}, json_type},
       fragment,
       404},
      // open data
      {"open data: private type",
       "GET",
       "/opendata/v1/demo/entities?type=Building",
       {},
       "",
       403},
      {"open data: shared type",
       "GET",
       "/opendata/v1/demo/entities.csv?type=ParkingSensor",
       {},
       "",
       403},
      {"open data: unknown tenant",
       "GET",
       "/opendata/v1/atlantis/entities",
       {},
       "",
       404},
      {"open data: writes",
       "POST",
       "/opendata/v1/demo/entities",
       {json_type},
       "{}",
       405},
      // size and paths
      {"oversized body",
       "POST",
       api + "/entities",
       {admin, json_type},
       big,
       413},
      {"path traversal in an id",
       "GET",
       api + "/entities/..%2F..%2Fetc%2Fpasswd",
       {admin},
       "",
       400},
      {"traversal inside a URN",
       "GET",
       api + "/entities/urn:ngsi-ld:Building:..%2F..%2Fsecret",
       {admin},
       "",
       400},
      {"NUL in an id",
       "GET",
       api + "/entities/urn:ngsi-ld:Building:a%00b",
       {admin},
       "",
       400},
      {"bad tenant name",
       "GET",
       entity,
       {admin, {"NGSILD-Tenant", "../demo"}},
       "",
       404},
      {"traversal in a subscription id",
       "GET",
       api + "/subscriptions/..%2Fsecret",
       {admin},
       "",
       400},
  };
  auto refused_before = f.brk.refusals();
  size_t tried = 0;
  for (const auto& a : attempts) {
    INFO(a.what);
    if (a.status == 413) {
      // The listener may close before reading the whole body; a reset
      // connection is also a refusal, but the answer should come first.
      ngsi::http_client fresh{"127.0.0.1", f.port()};
      auto res = fresh.request(a.method, a.path, a.h, a.body);
      CHECK((!res || res->status == 413));
      ++tried;
      continue;
    }
    auto res = f.call(a.method, a.path, a.h, a.body);
    CHECK(res.status == a.status);
    CHECK(res.body.find(secret_value) == std::string::npos);
    ++tried;
  }
  // Nothing changed: the private entity is intact.
  auto res = f.call("GET", entity, {admin});
  REQUIRE(res.status == 200);
  CHECK(f.json_of(res)["plan"]["value"] == secret_value);
  // Every refusal was counted by reason.
  uint64_t counted = 0;
  for (const auto& [reason, n] : f.brk.refusals())
    counted += n - (refused_before.count(reason) ? refused_before[reason] : 0);
  CHECK(counted >= 20);
  auto metrics = f.api.render_prometheus();
  CHECK(metrics.find(
            "citytwin_broker_refused_total{reason=\"cross_tenant_read\"}")
        != std::string::npos);
  CHECK(metrics.find("demo-admin-secret") == std::string::npos);
  std::cout << "security: " << tried << " attempts tried, " << counted
            << " refusals counted\n";
}

TEST_CASE("NGSI-LD sharing: shared, app-only, open and commercial data "
          "reach exactly who they are meant for",
          "[broker][ngsi][security]") {
  ngsi_fixture f;
  auto admin = bearer("demo-admin");
  for (auto [id, type] : std::vector<std::pair<std::string, std::string>>{
           {"urn:ngsi-ld:ParkingSensor:x1", "ParkingSensor"},
           {"urn:ngsi-ld:TrafficCounter:x1", "TrafficCounter"},
           {"urn:ngsi-ld:StreetLight:x1", "StreetLight"},
           {"urn:ngsi-ld:AirQualitySensor:x1", "AirQualitySensor"}})
    REQUIRE(f.call("POST", api + "/entities", {admin, json_type},
                   json{{"id", id}, {"type", type}}.dump())
                .status
            == 201);
  auto demo = std::pair<std::string, std::string>{"NGSILD-Tenant", "demo"};
  auto get = [&](const std::string& type, headers h) {
    h.push_back(demo);
    return f.call("GET", api + "/entities?type=" + type, h).status;
  };
  // the neighbouring tenant: parking (shared), not traffic (app only)
  CHECK(get("ParkingSensor", {bearer("aarhus-admin")}) == 200);
  CHECK(get("TrafficCounter", {bearer("aarhus-admin")}) == 403);
  // the app: both
  CHECK(get("ParkingSensor", {bearer("parkfinder")}) == 200);
  CHECK(get("TrafficCounter", {bearer("parkfinder")}) == 200);
  // the commercial key: air quality and open data, not parking
  headers key = {{"X-Api-Key", "acme-mobility-secret"}};
  CHECK(get("AirQualitySensor", key) == 200);
  CHECK(get("StreetLight", key) == 200);
  CHECK(get("ParkingSensor", key) == 403);
  // anonymous: open data only, on the API and the open-data endpoint
  CHECK(get("StreetLight", {}) == 200);
  CHECK(get("AirQualitySensor", {}) == 401);
  auto res = f.call("GET", "/opendata/v1/demo/entities.csv?type=StreetLight");
  CHECK(res.status == 200);
  CHECK(res.header("content-type").rfind("text/csv", 0) == 0);
  CHECK(res.body.find("urn:ngsi-ld:StreetLight:x1") != std::string::npos);
  CHECK(res.header("x-licence") == "CC-BY-4.0");
  // a query without a type shows each caller only what it may read
  res = f.call("GET", api + "/entities?idPattern=x1",
               {bearer("aarhus-admin"), demo});
  REQUIRE(res.status == 200);
  std::vector<std::string> seen;
  for (const auto& e : f.json_of(res))
    seen.push_back(e["type"]);
  CHECK(seen == std::vector<std::string>{"ParkingSensor", "StreetLight"});
  // the key's use is metered
  auto metrics = f.api.render_prometheus();
  CHECK(metrics.find("key=\"acme-mobility\",outcome=\"served\"} 3")
        != std::string::npos);
}

TEST_CASE("NGSI-LD quotas and the open-data rate limit answer 429",
          "[broker][ngsi][security]") {
  auto cfg = broker::parse_access_config(R"(version: 1
open_data: { requests_per_minute: 3 }
tenants:
  - name: t
    sharing:
      - { type: StreetLight, level: open }
      - { type: "*", level: commercial }
api_keys:
  - { name: k, tenant: t, quota_per_day: 2, sha256: a9d47e48fea8e20cd2893475a2dfdbf3af90a947e7b66cdcb18dffe77c77d2b9 }
)",
                                         "inline");
  REQUIRE(cfg);
  ngsi_fixture f{std::move(*cfg)};
  int ok = 0;
  int limited = 0;
  for (int i = 0; i < 5; ++i) {
    auto res = f.call("GET", "/opendata/v1/t/entities?type=StreetLight");
    (res.status == 200 ? ok : limited) += 1;
    if (res.status == 429)
      CHECK_FALSE(res.header("retry-after").empty());
  }
  CHECK(ok == 3);
  CHECK(limited == 2);
  // The API key (secret "k-secret") may make two requests a day.
  headers key = {{"X-Api-Key", "k-secret"}};
  auto query = api + "/entities?type=StreetLight";
  CHECK(f.call("GET", query, key).status == 200);
  CHECK(f.call("GET", query, key).status == 200);
  auto res = f.call("GET", query, key);
  CHECK(res.status == 429);
  CHECK(f.brk.refusals()["quota_exceeded"] == 1);
  CHECK(f.api.render_prometheus().find("key=\"k\",outcome=\"over_quota\"} 1")
        != std::string::npos);
}
