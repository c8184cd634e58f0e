// tests/viz/live_stream.cpp: the whole path on loopback: a real twin, the
// WebSocket++ server with the viewer stream, and a WebSocket client.
#include "viz/live_stream.hpp"

#include "actors/runtime.hpp"
#include "actors/type_ids.hpp"
#include "test_data.hpp"
#include "viz/ws_client.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <thread>

using namespace citytwin;
using namespace citytwin::viz;

namespace {

constexpr auto client_timeout = std::chrono::seconds(10);

struct served_twin {
  twin::city city = test::small_city();
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  actors::twin_handles handles;
  http_server server{nullptr};
  std::unique_ptr<live_stream> stream;

  served_twin() {
    REQUIRE_FALSE(actors::configure(cfg, {"sharing", 2}));
    sys = std::make_unique<caf::actor_system>(cfg);
    auto h = actors::spawn_twin(*sys, city, {1, 1});
    REQUIRE(h);
    handles = *h;
    stream = std::make_unique<live_stream>(server, city, live_stream_config{});
    server.set_handler(stream->wrap([](const http_request&) {
      return http_response{404, "text/plain", "no"};
    }));
    std::string error;
    REQUIRE(server.start("127.0.0.1", 0, error));
    REQUIRE_FALSE(stream->subscribe(*sys, handles));
  }

  ~served_twin() {
    server.stop();
    stream->stop();
    actors::stop_twin(*sys, handles);
  }

  std::string url(const std::string& query) const {
    return "ws://127.0.0.1:" + std::to_string(server.port()) + "/ws?"
           + query;
  }
};

} // namespace

TEST_CASE("a WebSocket viewer sees the snapshot, then a new reading",
          "[viz][network]") {
  served_twin served;
  auto lamp = served.city.things.front().id;
  REQUIRE(lamp.kind == twin::entity_kind::street_lamp);
  bool snapshot_done = false;
  double seen_dim = -1;
  size_t layout_things = 0;
  auto outcome = run_ws_client(
    served.url("format=json&kinds=street_lamp"),
    [&](const std::string& payload, bool binary) {
      REQUIRE_FALSE(binary);
      auto msg = nlohmann::json::parse(payload);
      if (msg["type"] == "layout")
        layout_things = msg["things"].size();
      if (msg["type"] == "snapshot_end") {
        snapshot_done = true;
        // Sent from the client's thread, like any adapter would.
        twin::reading r;
        r.target = lamp;
        r.time = 1000;
        r.value = 0.75;
        r.what = twin::quantity::dim_level;
        caf::anon_send(served.handles.front, actors::observe_atom_v,
                       twin::reading_batch{r});
      }
      if (msg["type"] == "deltas" && msg["snapshot"] == false) {
        for (auto& d : msg["deltas"])
          if (d["id"] == twin::to_urn(lamp, served.city.name))
            seen_dim = d["attributes"]["dim_level"].get<double>();
        return seen_dim < 0;
      }
      return true;
    },
    client_timeout);
  CHECK(outcome.error.empty());
  CHECK(outcome.connected);
  CHECK(snapshot_done);
  CHECK(layout_things == served.city.count(twin::entity_kind::street_lamp));
  CHECK(seen_dim == 0.75);
}

TEST_CASE("an unknown filter closes the stream with 1008 and a reason",
          "[viz][network]") {
  served_twin served;
  auto outcome = run_ws_client(
    served.url("kinds=dragon"), [](const std::string&, bool) { return true; },
    client_timeout);
  CHECK(outcome.connected);
  CHECK(outcome.close_code == close_code::policy_violation);
  CHECK_THAT(outcome.close_reason, Catch::Contains("dragon"));
  // The server keeps serving: the next viewer gets its snapshot.
  bool got_layout = false;
  run_ws_client(
    served.url("format=json"),
    [&](const std::string& payload, bool) {
      got_layout = payload.find("\"type\":\"layout\"") != std::string::npos;
      return !got_layout;
    },
    client_timeout);
  CHECK(got_layout);
}

TEST_CASE("an upgrade on an unknown path is refused", "[viz][network]") {
  served_twin served;
  auto outcome = run_ws_client(
    "ws://127.0.0.1:" + std::to_string(served.server.port()) + "/nope",
    [](const std::string&, bool) { return true; }, client_timeout);
  CHECK_FALSE(outcome.connected);
  CHECK_THAT(outcome.error, Catch::Contains("404"));
}
