// tests/viz/stream_hub.cpp
#include "viz/stream_hub.hpp"

#include "test_data.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <map>
#include <vector>

using namespace citytwin;
using namespace citytwin::viz;

namespace {

// Records frames; `backlog` plays the socket buffer of each connection.
struct fake_transport : stream_transport {
  struct frame {
    std::string payload;
    bool binary;
  };
  std::map<connection_id, std::vector<frame>> frames;
  std::map<connection_id, size_t> backlog;
  std::map<connection_id, uint16_t> closed;
  bool grow = false; ///< sent frames stay unread in the buffer

  bool send(connection_id id, const std::string& payload,
            bool binary) override {
    frames[id].push_back({payload, binary});
    if (grow)
      backlog[id] += payload.size();
    return true;
  }
  size_t buffered(connection_id id) const override {
    auto i = backlog.find(id);
    return i == backlog.end() ? 0 : i->second;
  }
  void close(connection_id id, uint16_t code, const std::string&) override {
    closed[id] = code;
  }

  std::vector<nlohmann::json> json(connection_id id) {
    std::vector<nlohmann::json> result;
    for (auto& f : frames[id])
      if (!f.binary)
        result.push_back(nlohmann::json::parse(f.payload));
    return result;
  }

  size_t binary_frames(connection_id id) {
    size_t n = 0;
    for (auto& f : frames[id])
      n += f.binary ? 1 : 0;
    return n;
  }
};

struct fixture {
  twin::city city = test::small_city();
  fake_transport transport;
  stream_hub hub;

  explicit fixture(stream_config config = {})
    : hub(std::make_shared<city_layout>(city), transport, config) {
    twin::for_each_initial_state(
      city, [this](const twin::entity_state& s) { hub.seed(s); });
  }

  twin::delta lamp_delta(uint32_t number, double dim) {
    auto state = twin::make_state({twin::entity_kind::street_lamp, number});
    twin::reading r;
    r.target = state.id;
    r.time = 1;
    r.value = dim;
    r.what = twin::quantity::dim_level;
    REQUIRE(twin::apply(state, r));
    return {state, 1u << static_cast<int>(twin::quantity::dim_level)};
  }
};

} // namespace

TEST_CASE("a new client gets hello, layout, states, snapshot_end", "[viz]") {
  fixture fix;
  fix.hub.open(1, "format=json");
  auto frames = fix.transport.json(1);
  REQUIRE(frames.size() >= 4);
  CHECK(frames[0]["type"] == "hello");
  CHECK(frames[1]["type"] == "layout");
  CHECK(frames[1]["segments"].size() == fix.city.roads.num_segments());
  CHECK(frames[1]["things"].size() == fix.city.things.size());
  CHECK(frames[1]["segments"][0]["coords"].size() >= 2);
  size_t states = 0;
  for (size_t i = 2; i + 1 < frames.size(); ++i) {
    CHECK(frames[i]["type"] == "deltas");
    CHECK(frames[i]["snapshot"] == true);
    states += frames[i]["deltas"].size();
  }
  CHECK(states == fix.city.num_entities());
  CHECK(frames.back()["type"] == "snapshot_end");
  CHECK(frames.back()["entities"] == fix.city.num_entities());
}

TEST_CASE("deltas reach clients whose filter accepts them", "[viz]") {
  fixture fix;
  fix.hub.open(1, "format=json&kinds=street_lamp");
  fix.hub.open(2, "format=json&kinds=waste_bin");
  fix.hub.open(3, ""); // Protobuf, everything
  auto before3 = fix.transport.binary_frames(3);
  fix.hub.apply({fix.lamp_delta(0, 0.5)});
  auto lamps = fix.transport.json(1);
  CHECK(lamps.back()["type"] == "deltas");
  CHECK(lamps.back()["snapshot"] == false);
  CHECK(lamps.back()["deltas"][0]["attributes"]["dim_level"] == 0.5);
  CHECK(lamps.back()["deltas"][0]["changed"][0] == "dim_level");
  CHECK(fix.transport.json(2).back()["type"] == "snapshot_end");
  CHECK(fix.transport.binary_frames(3) == before3 + 1);
  CHECK(fix.hub.stats().deltas_in == 1);
}

TEST_CASE("a bbox filter keeps only entities inside", "[viz]") {
  fixture fix;
  const auto& lamp = fix.city.things.front();
  // About 3 m around the first lamp (1e-5 degrees is about a metre).
  char box[128];
  std::snprintf(box, sizeof box, "%.7f,%.7f,%.7f,%.7f", lamp.where.lon - 3e-5,
                lamp.where.lat - 3e-5, lamp.where.lon + 3e-5,
                lamp.where.lat + 3e-5);
  fix.hub.open(1, std::string{"format=json&kinds=street_lamp&bbox="} + box);
  auto frames = fix.transport.json(1);
  // Only lamps within a few metres of the first one: at least that one.
  REQUIRE(frames[1]["things"].size() >= 1);
  CHECK(frames[1]["things"].size() < 10);
  CHECK(frames.back()["entities"] == frames[1]["things"].size());
}

TEST_CASE("a slow client gets the latest state, the others everything",
          "[viz]") {
  stream_config config;
  config.high_water_bytes = 1000;
  fixture fix{config};
  fix.hub.open(1, "format=json&kinds=street_lamp");
  fix.hub.open(2, "format=json&kinds=street_lamp");
  auto slow_before = fix.transport.frames[1].size();
  fix.transport.backlog[1] = 5000; // client 1 stopped reading
  for (int i = 1; i <= 100; ++i)
    fix.hub.apply({fix.lamp_delta(0, i / 100.0)});
  // The fast client got 100 frames; the slow one nothing, one queued state.
  CHECK(fix.transport.json(2).size() >= 100);
  CHECK(fix.transport.frames[1].size() == slow_before);
  CHECK(fix.hub.stats().deltas_coalesced == 99);
  fix.transport.backlog[1] = 0; // it reads again
  fix.hub.flush();
  auto frames = fix.transport.json(1);
  REQUIRE(frames.size() == slow_before + 1);
  REQUIRE(frames.back()["deltas"].size() == 1);
  CHECK(frames.back()["deltas"][0]["attributes"]["dim_level"] == 1.0);
}

TEST_CASE("a client that never reads is closed after the stall timeout",
          "[viz]") {
  stream_config config;
  config.high_water_bytes = 1000;
  config.stall_timeout = std::chrono::milliseconds{0};
  fixture fix{config};
  fix.hub.open(1, "format=json&kinds=street_lamp");
  fix.transport.backlog[1] = 5000;
  fix.hub.apply({fix.lamp_delta(0, 0.3)});
  CHECK(fix.transport.closed[1] == close_code::policy_violation);
  CHECK(fix.hub.stats().stalled == 1);
}

TEST_CASE("the snapshot itself waits for a slow client", "[viz]") {
  stream_config config;
  config.max_batch = 5;
  config.high_water_bytes = 1; // any unread frame blocks the client
  fixture fix{config};
  fix.transport.grow = true;
  fix.hub.open(1, "format=json");
  // hello and layout go out at once; states wait for the socket to drain.
  CHECK(fix.transport.json(1).size() == 2);
  size_t drains = 0;
  while (fix.transport.json(1).back()["type"] != "snapshot_end"
         && drains < 1000) {
    fix.transport.backlog[1] = 0;
    fix.hub.flush();
    ++drains;
  }
  // One batch of at most 5 states per drain; snapshot_end follows the last.
  auto n = fix.city.num_entities();
  CHECK(drains == (n + 4) / 5);
  CHECK(fix.transport.json(1).size() == 2 + (n + 4) / 5 + 1);
}

TEST_CASE("bad filters and messages close with clear codes", "[viz]") {
  stream_config config;
  config.max_clients = 2;
  fixture fix{config};
  fix.hub.open(1, "kinds=unicorn");
  CHECK(fix.transport.closed[1] == close_code::policy_violation);
  CHECK(fix.transport.json(1).back()["message"].get<std::string>().find(
          "unicorn")
        != std::string::npos);
  CHECK(fix.hub.num_clients() == 0);
  fix.hub.open(2, "");
  fix.hub.open(3, "");
  fix.hub.open(4, ""); // one too many
  CHECK(fix.transport.closed[4] == close_code::try_again_later);
  fix.hub.message(2, "not json", false);
  CHECK(fix.transport.closed[2] == close_code::invalid_payload);
  fix.hub.message(3, "\x01\x02", true);
  CHECK(fix.transport.closed[3] == close_code::unsupported_data);
  auto s = fix.hub.stats();
  CHECK(s.rejected_filters == 1);
  CHECK(s.bad_messages == 2);
  CHECK(s.too_many_clients == 1);
  fix.hub.closed(2, close_code::message_too_big);
  CHECK(fix.hub.stats().oversized == 1);
}

TEST_CASE("a filter message restarts the snapshot", "[viz]") {
  fixture fix;
  fix.hub.open(1, "format=json");
  fix.transport.frames.clear();
  fix.hub.message(1, R"({"type":"filter","query":"format=json&kinds=waste_bin"})",
                  false);
  auto frames = fix.transport.json(1);
  REQUIRE(frames.size() >= 3);
  CHECK(frames[1]["type"] == "layout");
  CHECK(frames[1]["segments"].empty());
  CHECK(frames.back()["entities"] == fix.city.count(twin::entity_kind::waste_bin));
  fix.hub.message(1, R"({"type":"filter","query":"kinds=nope"})", false);
  CHECK(fix.transport.closed[1] == close_code::policy_violation);
}
