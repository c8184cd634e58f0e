// tests/viz/live_stream.cpp: the whole path on loopback: a real twin, the
// WebSocket++ server with the viewer stream, and a WebSocket client.
#include "viz/live_stream.hpp"

#include "raw_socket.hpp"
#include "served_twin.hpp"
#include "viz/ws_client.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <thread>

using namespace citytwin;
using namespace citytwin::viz;
using test::served_twin;

namespace {

constexpr auto client_timeout = std::chrono::seconds(10);

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

TEST_CASE("with access rules the stream checks tokens over the network",
          "[viz][network]") {
  // Stands in for `citytwin serve --access`: anonymous clients read lamps,
  // `viewer-secret` everything, other tokens are unknown.
  live_stream_config config;
  config.stream.access = [](const std::string& token, const std::string&)
    -> std::variant<stream_grant, stream_refusal> {
    if (token.empty())
      return stream_grant{kind_bit(twin::entity_kind::street_lamp),
                          std::nullopt, "anonymous"};
    if (token == "viewer&secret")
      return stream_grant{all_kinds_mask(), std::nullopt, "token viewer"};
    return stream_refusal{refusal_reason::unknown_token,
                          "token refused: unknown"};
  };
  served_twin served{std::move(config)};
  auto refused = run_ws_client(
    served.url("token=guess"), [](const std::string&, bool) { return true; },
    client_timeout);
  CHECK(refused.connected);
  CHECK(refused.close_code == close_code::policy_violation);
  CHECK(refused.close_reason == "token refused: unknown");

  // Counts the layout's segments and lamps a client gets.
  auto layout_of = [&served](const std::string& query) {
    std::pair<size_t, size_t> result{0, 0};
    run_ws_client(
      served.url(query),
      [&](const std::string& payload, bool) {
        auto msg = nlohmann::json::parse(payload);
        if (msg["type"] != "layout")
          return true;
        result = {msg["segments"].size(), msg["things"].size()};
        return false;
      },
      client_timeout);
    return result;
  };
  auto lamps = served.city.count(twin::entity_kind::street_lamp);
  CHECK(layout_of("format=json") == std::pair<size_t, size_t>{0, lamps});
  // The secret travels URL-encoded and arrives decoded.
  CHECK(layout_of("format=json&token=viewer%26secret")
        == std::pair<size_t, size_t>{served.city.roads.num_segments(),
                                     served.city.things.size()});

  // One entity's state over HTTP follows the same decision. (The test
  // server's API answers 404 for everything it lets through.)
  auto port = served.server.port();
  auto segment = "/api/entities/urn:ngsi-ld:RoadSegment:test:000000";
  auto lamp = "/api/entities/"
              + twin::to_urn(served.city.things.front().id, "test");
  CHECK(test::http_fetch(port, segment).status == 403);
  CHECK(test::http_fetch(port, lamp).status == 404);
  CHECK(test::http_fetch(port, std::string{segment} + "?token=viewer%26secret")
          .status
        == 404);
  auto guessed = test::http_fetch(port, lamp + "?token=guess");
  CHECK(guessed.status == 401);
  CHECK_THAT(guessed.body, Catch::Contains("token refused: unknown"));

  auto stats = nlohmann::json::parse(
    test::http_get(served.server.port(), "/api/stream"));
  CHECK(stats["refused_unknown_token"] == 1);
  CHECK(stats["clients_opened"] == 3);
}
