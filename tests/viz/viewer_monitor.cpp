// tests/viz/viewer_monitor.cpp: what the viewer port tells whom (issue
// 10, finding 6) and HTTP/1.0 on it (finding 9), over real sockets on
// 127.0.0.1. The access rules are those `citytwin serve --access` builds
// (adapters/cli/viewer_access), for a tenant named like the test city
// whose only open kind is StreetLight.
#include "served_twin.hpp"
#include "viewer_probe.hpp"

#include "adapters/broker/secret_hash.hpp"
#include "adapters/cli/viewer_access.hpp"
#include "viz/twin_api.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <future>

using namespace citytwin;
using namespace std::chrono_literals;

namespace {

twin::token_config token(const char* name, const char* tenant, twin::role r) {
  twin::token_config result;
  result.name = name;
  result.tenant = tenant;
  result.r = r;
  result.secret_sha256 = broker::sha256(std::string{name} + "-secret");
  return result;
}

twin::tenant_config tenant(const char* name) {
  twin::tenant_config result;
  result.name = name;
  return result;
}

std::shared_ptr<const twin::access_config> test_access() {
  auto result = std::make_shared<twin::access_config>();
  auto test = tenant("test");
  twin::sharing_rule lamps;
  lamps.entity_type = "StreetLight";
  lamps.level = twin::sharing_level::open_data;
  test.sharing.push_back(lamps);
  result->tenants.push_back(test);
  result->tenants.push_back(tenant("other"));
  result->tokens = {
      token("test-monitor", "other", twin::role::monitor),
      token("test-admin", "test", twin::role::admin),
      token("other-admin", "other", twin::role::admin),
      token("test-viewer", "test", twin::role::viewer),
  };
  return result;
}

struct monitored_twin {
  std::shared_ptr<const twin::access_config> access = test_access();
  test::served_twin served{config()};
  uint16_t port = served.server.port();

  monitored_twin() {
    auto api = served.stream->wrap(
        viz::make_twin_api(*served.sys, served.handles, served.city.name,
                           [](const actors::twin_stats&) {
                             return std::string{"citytwin_readings_total 0\n"};
                           }));
    std::promise<void> done;
    served.server.post([&] {
      served.server.set_handler(api);
      done.set_value();
    });
    REQUIRE(done.get_future().wait_for(5s) == std::future_status::ready);
  }

  viz::live_stream_config config() const {
    viz::live_stream_config result;
    result.stream.access = cli::make_viewer_access(access, "test");
    result.monitor = cli::make_monitor_access(access, "test");
    return result;
  }

  test::http_result get(const std::string& path,
                        const std::string& auth = {}) const {
    return test::http_fetch(
        port, path, auth.empty() ? auth : "Authorization: " + auth + "\r\n");
  }
};

} // namespace

TEST_CASE("anonymous callers see open data only on the viewer port",
          "[security][viz]") {
  monitored_twin twin;
  // Before the fix, each of these showed everything to anyone.
  auto status = twin.get("/api/status");
  REQUIRE(status.status == 200);
  auto open = nlohmann::json::parse(status.body);
  CHECK(open["entities_by_kind"].size() == 1);
  CHECK(open["entities_by_kind"].contains("street_lamp"));
  CHECK(open["entities"]
        == twin.served.city.count(twin::entity_kind::street_lamp));
  for (const char* hidden :
       {"readings", "rejected_by_reason", "deltas", "road_segment", "test-"})
    CHECK(status.body.find(hidden) == std::string::npos);
  CHECK(twin.get("/metrics").status == 401);
  CHECK(twin.get("/api/stream").status == 401);
  // A 401 names the scheme it wants (RFC 7235, 3.1).
  test::raw_socket s{twin.port};
  REQUIRE(s.send_all("GET /metrics HTTP/1.0\r\n\r\n"));
  while (s.receive_more()) {
  }
  CHECK(s.buffer.find("WWW-Authenticate: Bearer") != std::string::npos);
  // A token without a monitoring role: status as anonymous, the rest 403.
  CHECK(twin.get("/metrics", "Bearer test-viewer-secret").status == 403);
  CHECK(twin.get("/api/stream", "Bearer test-viewer-secret").status == 403);
  CHECK(twin.get("/metrics", "Bearer other-admin-secret").status == 403);
  CHECK(twin.get("/api/status", "Bearer test-viewer-secret").body
        == status.body);
  // A token that matches nothing: 401 everywhere.
  CHECK(twin.get("/api/status", "Bearer nobody").status == 401);
  CHECK(twin.get("/metrics?token=nobody").status == 401);
}

TEST_CASE("monitor and admin tokens see the viewer port's counters",
          "[security][viz]") {
  monitored_twin twin;
  CHECK(twin.get("/metrics").status == 401);
  CHECK(twin.get("/metrics", "Bearer test-viewer-secret").status == 403);
  // The scheme is case-insensitive (RFC 7235); the page's ?token= works.
  for (const auto& auth : {std::string{"bearer test-monitor-secret"},
                           std::string{"BEARER  test-monitor-secret"},
                           std::string{"Bearer test-admin-secret"}}) {
    auto metrics = twin.get("/metrics", auth);
    CHECK(metrics.status == 200);
    CHECK(metrics.body.find("citytwin_readings_total") != std::string::npos);
  }
  auto metrics = twin.get("/metrics?token=test-monitor-secret");
  REQUIRE(metrics.status == 200);
  // Every refusal is counted by reason: the two above.
  CHECK(metrics.body.find(
            "citytwin_viewer_refusals_total{reason=\"unauthorized\"} 1\n")
        != std::string::npos);
  CHECK(metrics.body.find(
            "citytwin_viewer_refusals_total{reason=\"forbidden\"} 1\n")
        != std::string::npos);
  auto full = twin.get("/api/status", "Bearer test-monitor-secret");
  REQUIRE(full.status == 200);
  CHECK(nlohmann::json::parse(full.body).contains("readings"));
  auto stream = twin.get("/api/stream", "bearer test-monitor-secret");
  CHECK(stream.status == 200);
  CHECK(stream.body.find("refused_unknown_token") != std::string::npos);
  // A monitor token reads no tenant data: the stream refuses it.
  CHECK(twin.get("/api/status?token=test-monitor-secret").status == 200);
}

TEST_CASE("HTTP/1.0 requests work on the viewer port", "[security][viz]") {
  test::served_twin served;
  auto port = served.server.port();
  // Before the fix WebSocket++ answered 400: HTTP/1.0 sends no Host.
  auto plain = test::http_exchange(port, "GET /api/stream HTTP/1.0\r\n\r\n");
  CHECK(plain.status == 200);
  CHECK(plain.body.find("clients_open") != std::string::npos);
  auto with_host = test::http_exchange(
      port, "GET /api/stream HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
  CHECK(with_host.status == 200);
  // Split across packets, the blank line arriving alone.
  test::raw_socket s{port};
  REQUIRE(s.send_all("GET /api/stream HTTP/1.0\r\nUser-Agent: probe\r\n"));
  REQUIRE(s.send_all("\r\n"));
  while (s.receive_more()) {
  }
  CHECK(s.buffer.rfind("HTTP/1.1 200", 0) == 0);
  // HTTP/1.1 still needs its Host (RFC 7230, 5.4).
  CHECK(test::http_exchange(port, "GET /api/stream HTTP/1.1\r\n\r\n").status
        == 400);
}

TEST_CASE("refusals of the viewer port's other routes are counted too",
          "[security][viz]") {
  monitored_twin twin;
  CHECK(twin.get("/api/entities/urn:ngsi-ld:StreetLight:test:000001"
                 "?token=nobody")
          .status
        == 401);
  auto metrics = twin.get("/metrics?token=test-monitor-secret");
  REQUIRE(metrics.status == 200);
  CHECK(metrics.body.find(
          "citytwin_viewer_refusals_total{reason=\"unauthorized\"} 1\n")
        != std::string::npos);
}
