// tests/viz/stream_hub.cpp
#include "viz/stream_hub.hpp"

#include "test_data.hpp"
#include "twin/wall_clock.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
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

// A seeded hub over a small city; `Transport` records what it sends.
template <class Transport = fake_transport>
struct basic_fixture {
  twin::city city = test::small_city();
  Transport transport;
  stream_hub hub;

  explicit basic_fixture(stream_config config = {})
    : hub(std::make_shared<city_layout>(city), transport, config) {
    twin::for_each_initial_state(
      city, [this](const twin::entity_state& s) { hub.seed(s); });
  }

  // One entity's state after one reading, as the twin would publish it.
  static twin::delta delta_of(twin::entity_id id, twin::quantity what,
                              double value) {
    auto state = twin::make_state(id);
    twin::reading r;
    r.target = id;
    r.time = 1;
    r.value = value;
    r.what = what;
    REQUIRE(twin::apply(state, r));
    return {state, 1u << static_cast<int>(what)};
  }

  twin::delta lamp_delta(uint32_t number, double dim) {
    return delta_of({twin::entity_kind::street_lamp, number},
                    twin::quantity::dim_level, dim);
  }

  twin::delta bin_delta(uint32_t number, double fill) {
    return delta_of({twin::entity_kind::waste_bin, number},
                    twin::quantity::fill_level, fill);
  }
};

using fixture = basic_fixture<>;

// Records which frame object each client was given, and keeps it alive
// so that a later frame cannot reuse its address.
struct sharing_transport : fake_transport {
  std::map<connection_id, std::vector<std::shared_ptr<const std::string>>>
    shared;
  bool send_shared(connection_id id,
                   const std::shared_ptr<const std::string>& payload,
                   bool binary) override {
    shared[id].push_back(payload);
    return send(id, *payload, binary);
  }
};

// The newest `attr` of entity `id` a JSON client was shown, snapshot
// frames included; null if never.
nlohmann::json last_shown(fake_transport& t, connection_id client,
                          const std::string& id, const std::string& attr) {
  nlohmann::json result;
  for (const auto& f : t.json(client))
    if (f["type"] == "deltas")
      for (const auto& d : f["deltas"])
        if (d["id"] == id && d["attributes"].contains(attr))
          result = d["attributes"][attr];
  return result;
}

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
  fix.transport.backlog[1] = 0; // it reads again
  fix.hub.flush();
  auto frames = fix.transport.json(1);
  REQUIRE(frames.size() == slow_before + 1);
  REQUIRE(frames.back()["deltas"].size() == 1);
  CHECK(frames.back()["deltas"][0]["attributes"]["dim_level"] == 1.0);
  CHECK(fix.hub.stats().catch_up_frames == 1);
  CHECK(fix.hub.stats().deltas_caught_up == 1);
}

TEST_CASE("viewers with one filter share each delta frame", "[viz]") {
  basic_fixture<sharing_transport> fix;
  auto& transport = fix.transport;
  auto& hub = fix.hub;
  for (connection_id id = 1; id <= 3; ++id)
    hub.open(id, "kinds=street_lamp&format=json");
  hub.open(4, "kinds=street_lamp"); // another format: Protobuf
  hub.open(5, "kinds=waste_bin&format=json"); // filters the lamps out
  auto encoded_before = hub.stats().frames_encoded;
  transport.shared.clear();
  hub.apply({fix.lamp_delta(0, 0.25), fix.lamp_delta(1, 0.75)});
  // One frame for the three JSON viewers, one for the Protobuf viewer.
  CHECK(hub.stats().frames_encoded == encoded_before + 2);
  REQUIRE(transport.shared[1].size() == 1);
  CHECK(transport.shared[2] == transport.shared[1]);
  CHECK(transport.shared[3] == transport.shared[1]);
  REQUIRE(transport.shared[4].size() == 1);
  CHECK(transport.shared[4] != transport.shared[1]);
  CHECK(transport.shared.count(5) == 0);
  auto json = transport.json(1).back();
  CHECK(json["snapshot"] == false);
  REQUIRE(json["deltas"].size() == 2);
  CHECK(json["deltas"][1]["attributes"]["dim_level"] == 0.75);
  // A viewer over its cap falls out of line; once it reads again it
  // catches up with the newest state of each changed entity, in the order
  // of their last change.
  transport.backlog[2] = viewer_limits::max_queued_bytes;
  hub.apply({fix.lamp_delta(0, 0.5)});
  hub.apply({fix.lamp_delta(0, 0.6)});
  CHECK(transport.shared[1].size() == 3);
  CHECK(transport.shared[2].size() == 1);
  transport.backlog[2] = 0;
  hub.apply({fix.lamp_delta(1, 0.1)});
  CHECK(transport.shared[1].size() == 4);
  auto caught_up = transport.json(2).back();
  REQUIRE(caught_up["deltas"].size() == 2);
  CHECK(caught_up["deltas"][0]["attributes"]["dim_level"] == 0.6);
  CHECK(caught_up["deltas"][1]["attributes"]["dim_level"] == 0.1);
  // Back in line: the next delta is shared with the others again.
  hub.apply({fix.lamp_delta(1, 0.2)});
  CHECK(transport.shared[2].back() == transport.shared[1].back());
}

TEST_CASE("a viewer that fell behind catches up with what its filter shows",
          "[viz]") {
  fixture fix;
  fix.hub.open(1, "format=json&kinds=street_lamp");
  fix.transport.backlog[1] = viewer_limits::max_queued_bytes;
  auto before = fix.transport.frames[1].size();
  fix.hub.apply({fix.lamp_delta(0, 0.2), fix.bin_delta(0, 0.4)});
  fix.hub.apply({fix.lamp_delta(1, 0.3)});
  fix.hub.apply({fix.lamp_delta(0, 0.9)});
  CHECK(fix.transport.frames[1].size() == before); // nothing while full
  fix.transport.backlog[1] = 0;
  CHECK_FALSE(fix.hub.flush()); // all caught up in one call
  auto frames = fix.transport.json(1);
  REQUIRE(frames.size() == before + 1);
  const auto& deltas = frames.back()["deltas"];
  // Lamp 1 then lamp 0 (the order of their last change), newest states,
  // every lamp attribute named as possibly changed; the bin is not shown.
  REQUIRE(deltas.size() == 2);
  CHECK(deltas[0]["attributes"]["dim_level"] == 0.3);
  CHECK(deltas[1]["attributes"]["dim_level"] == 0.9);
  CHECK(deltas[1]["changed"].size()
        == twin::quantities_of(twin::entity_kind::street_lamp).size());
  CHECK(fix.hub.stats().deltas_caught_up == 2);
  // In line again: the next lamp delta comes alone, as it happens.
  fix.hub.apply({fix.lamp_delta(2, 0.5)});
  CHECK(fix.transport.json(1).back()["deltas"].size() == 1);
}

TEST_CASE("viewers that fell behind together share their catch-up frames",
          "[viz]") {
  basic_fixture<sharing_transport> fix;
  auto& transport = fix.transport;
  auto& hub = fix.hub;
  for (connection_id id = 1; id <= 3; ++id)
    hub.open(id, "kinds=street_lamp");
  transport.backlog[1] = transport.backlog[2] = viewer_limits::max_queued_bytes;
  hub.apply({fix.lamp_delta(0, 0.3)});
  hub.apply({fix.lamp_delta(1, 0.4)});
  transport.backlog[1] = transport.backlog[2] = 0;
  auto encoded = hub.stats().frames_encoded;
  transport.shared.clear();
  hub.flush();
  REQUIRE(transport.shared[1].size() == 1);
  CHECK(transport.shared[2] == transport.shared[1]);
  CHECK(hub.stats().frames_encoded == encoded + 1);
  CHECK(hub.stats().catch_up_frames == 2);
  // All three are in line again and share the next frame.
  hub.apply({fix.lamp_delta(2, 0.5)});
  CHECK(transport.shared[1].back() == transport.shared[3].back());
  CHECK(transport.shared[2].back() == transport.shared[3].back());
}

TEST_CASE("snapshots go on in bounded rounds while deltas keep flowing",
          "[viz]") {
  stream_config config;
  config.max_batch = 2;
  config.flush_budget_bytes = 1; // one frame per viewer per call
  fixture fix{config};
  fix.hub.open(1, "format=json");
  while (fix.hub.flush()) {
  }
  CHECK(fix.transport.json(1).back()["type"] == "snapshot_end");
  fix.hub.open(2, "format=json");
  CHECK(fix.hub.backlog()); // its snapshot is under way, not done
  CHECK(fix.transport.json(2).back()["type"] != "snapshot_end");
  // A delta in the meantime reaches the viewer in line at once.
  fix.hub.apply({fix.lamp_delta(0, 0.7)});
  CHECK(fix.transport.json(1).back()["deltas"][0]["attributes"]["dim_level"]
        == 0.7);
  size_t calls = 0;
  while (fix.hub.flush())
    ++calls;
  CHECK(calls > 1);
  CHECK(fix.transport.json(2).back()["type"] != "error");
  auto lamp = twin::to_urn({twin::entity_kind::street_lamp, 0}, "test");
  CHECK(last_shown(fix.transport, 2, lamp, "dim_level") == 0.7);
  size_t snapshot_ends = 0;
  for (const auto& f : fix.transport.json(2))
    snapshot_ends += f["type"] == "snapshot_end" ? 1 : 0;
  CHECK(snapshot_ends == 1);
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

namespace {

// Stands in for `citytwin serve --access`: no token sees lamps only,
// `good` lamps and bins, `soon` lamps until `soon_expires_ms`.
struct fake_access {
  int64_t soon_expires_ms = 0;

  std::variant<stream_grant, stream_refusal>
  operator()(const std::string& token, const std::string& tenant) const {
    if (!tenant.empty() && tenant != "test")
      return stream_refusal{refusal_reason::wrong_tenant,
                            wrong_tenant_message(tenant, "test")};
    auto lamps = kind_bit(twin::entity_kind::street_lamp);
    if (token.empty())
      return stream_grant{lamps, std::nullopt, "anonymous"};
    if (token == "good")
      return stream_grant{lamps | kind_bit(twin::entity_kind::waste_bin),
                          std::nullopt, "token good"};
    if (token == "soon")
      return stream_grant{lamps, soon_expires_ms, "token soon"};
    if (token == "old")
      return stream_refusal{refusal_reason::expired_token,
                            "token refused: expired"};
    return stream_refusal{refusal_reason::unknown_token,
                          "token refused: unknown"};
  }
};

std::string last_error(fake_transport& transport, connection_id id) {
  auto frames = transport.json(id);
  if (frames.empty() || frames.back()["type"] != "error")
    return {};
  return frames.back()["message"].get<std::string>();
}

} // namespace

TEST_CASE("with access rules a client sees only the kinds it may read",
          "[viz]") {
  stream_config config;
  config.access = fake_access{};
  fixture fix{config};
  REQUIRE(fix.city.name == "test");
  auto num_lamps = fix.city.count(twin::entity_kind::street_lamp);
  auto num_bins = fix.city.count(twin::entity_kind::waste_bin);
  REQUIRE(num_lamps > 0);
  REQUIRE(num_bins > 0);

  // Anonymous: lamps only, in the layout, the snapshot and the deltas.
  fix.hub.open(1, "format=json");
  auto frames = fix.transport.json(1);
  REQUIRE(frames.size() >= 3);
  CHECK(frames[0]["principal"] == "anonymous");
  CHECK(frames[0]["readable"] == nlohmann::json::array({"street_lamp"}));
  CHECK(frames[1]["segments"].empty());
  CHECK(frames[1]["things"].size() == num_lamps);
  CHECK(frames.back()["entities"] == num_lamps);
  fix.hub.apply({fix.lamp_delta(0, 0.4)});
  CHECK(fix.transport.json(1).back()["deltas"][0]["attributes"]["dim_level"]
        == 0.4);

  // A token with more rights, narrowed further by its own filter.
  fix.hub.open(2, "format=json&token=good&kinds=waste_bin");
  CHECK(fix.transport.json(2)[0]["principal"] == "token good");
  CHECK(fix.transport.json(2).back()["entities"] == num_bins);
  CHECK(fix.transport.closed.count(2) == 0);

  // Refusals: each a 1008 with its reason, and its own counter.
  fix.hub.open(3, "token=nope");
  CHECK(fix.transport.closed[3] == close_code::policy_violation);
  CHECK(last_error(fix.transport, 3) == "token refused: unknown");
  fix.hub.open(4, "token=old");
  CHECK(fix.transport.closed[4] == close_code::policy_violation);
  CHECK(last_error(fix.transport, 4) == "token refused: expired");
  fix.hub.open(5, "token=good&tenant=aarhus");
  CHECK(fix.transport.closed[5] == close_code::policy_violation);
  CHECK_THAT(last_error(fix.transport, 5),
             Catch::Contains("tenant 'aarhus' is not on this stream"));
  // Asking for a kind it may not read is refused, not silently emptied.
  fix.hub.open(6, "kinds=street_lamp,road_segment");
  CHECK(fix.transport.closed[6] == close_code::policy_violation);
  CHECK(last_error(fix.transport, 6) == "may not read RoadSegment of 'test'");
  // Refused clients never joined: only 1 and 2 are open.
  CHECK(fix.hub.num_clients() == 2);

  // The grant holds for the life of the connection: a filter message may
  // not widen it, nor swap the token.
  fix.hub.message(2, R"({"type":"filter","query":"kinds=road_segment"})",
                  false);
  CHECK(fix.transport.closed[2] == close_code::policy_violation);
  fix.hub.message(1, R"({"type":"filter","query":"token=good"})", false);
  CHECK(fix.transport.closed[1] == close_code::policy_violation);
  CHECK_THAT(last_error(fix.transport, 1), Catch::Contains("reconnect"));

  auto s = fix.hub.stats();
  CHECK(s.refused_unknown_token == 1);
  CHECK(s.refused_expired_token == 1);
  CHECK(s.refused_tenant == 1);
  CHECK(s.refused_no_access == 2); // client 6 and client 2's message
  CHECK(s.bad_messages == 1);      // client 1's message
  auto j = to_json(s);
  CHECK(j["refused_unknown_token"] == 1);
  CHECK(j["refused_no_access"] == 2);
}

TEST_CASE("a client that may read nothing is refused", "[viz]") {
  stream_config config;
  config.access = [](const std::string&, const std::string&) {
    return std::variant<stream_grant, stream_refusal>{stream_grant{}};
  };
  fixture fix{config};
  fix.hub.open(1, "");
  CHECK(fix.transport.closed[1] == close_code::policy_violation);
  CHECK_THAT(last_error(fix.transport, 1), Catch::Contains("no entity type"));
  CHECK(fix.hub.stats().refused_no_access == 1);
}

TEST_CASE("a token that expires closes its stream once", "[viz]") {
  stream_config config;
  fake_access access;
  twin::manual_clock clock{1'700'000'000'000};
  twin::scoped_wall_clock use{clock};
  access.soon_expires_ms = clock.now_ms() + 50;
  config.access = access;
  fixture fix{config};
  fix.hub.open(1, "format=json&token=soon");
  clock.advance(49);
  fix.hub.flush();
  CHECK(fix.transport.closed.count(1) == 0);
  clock.advance(1);
  fix.hub.flush();
  CHECK(fix.transport.closed[1] == close_code::policy_violation);
  CHECK(last_error(fix.transport, 1) == "token refused: expired");
  // Until the server reports the close, nothing more goes out and the
  // refusal is not counted again.
  auto sent = fix.transport.frames[1].size();
  fix.hub.apply({fix.lamp_delta(0, 0.9)});
  fix.hub.flush();
  CHECK(fix.transport.frames[1].size() == sent);
  CHECK(fix.hub.stats().refused_expired_token == 1);
  fix.hub.closed(1, close_code::policy_violation);
  CHECK(fix.hub.num_clients() == 0);
}

TEST_CASE("without access rules tokens are ignored and the tenant is the "
          "city",
          "[viz]") {
  fixture fix;
  fix.hub.open(1, "format=json&tenant=test&token=anything");
  CHECK(fix.transport.closed.count(1) == 0);
  auto hello = fix.transport.json(1)[0];
  CHECK_FALSE(hello.contains("principal")); // no access rules, no principal
  CHECK(fix.transport.json(1).back()["entities"] == fix.city.num_entities());
  fix.hub.open(2, "tenant=elsewhere");
  CHECK(fix.transport.closed[2] == close_code::policy_violation);
  // A value that is no tenant name (a pasted secret?) is not echoed.
  fix.hub.open(3, "tenant=Secret%20Value");
  CHECK(last_error(fix.transport, 3)
        == "that tenant (value not shown) is not on this stream, which "
           "serves 'test'");
  CHECK(fix.hub.stats().refused_tenant == 2);
}

TEST_CASE("a refusal quoting bytes that are not UTF-8 still closes cleanly",
          "[viz]") {
  fixture fix;
  // %FF decodes to a lone 0xFF byte, quoted by the error message.
  REQUIRE_NOTHROW(fix.hub.open(1, "kinds=%FF%E2%82"));
  CHECK(fix.transport.closed[1] == close_code::policy_violation);
  auto error = fix.transport.json(1).back();
  CHECK(error["type"] == "error");
  CHECK_THAT(error["message"].get<std::string>(),
             Catch::Contains("\xEF\xBF\xBD")); // U+FFFD
}
