// tests/adapters/ingest/shard_batcher.cpp
// deterministic) twin in per-shard batches, never one message per reading.
#include "adapters/ingest/shard_batcher.hpp"

#include "actors/shard.hpp"
#include "actors/spawn_twin.hpp"
#include "actors/type_ids.hpp"
#include "adapters/ingest/payload_decoder.hpp"
#include "deterministic.hpp"
#include "test_data.hpp"

#include <sstream>

using namespace citytwin;
using namespace citytwin::ingest;

TEST_CASE("batches leave when full or flushed, per shard", "[adapters]") {
  ingest_counters counters;
  std::vector<std::pair<size_t, size_t>> sent; // shard, size
  shard_batcher batcher{3, 4,
                        [&](size_t shard, twin::reading_batch&& batch) {
                          for (const auto& x : batch)
                            CHECK(actors::shard_of(x.target, 3) == shard);
                          sent.emplace_back(shard, batch.size());
                        },
                        counters};
  twin::reading_batch readings;
  for (uint32_t i = 0; i < 30; ++i)
    readings.push_back({{twin::entity_kind::street_lamp, i % 10}, i, 0.5,
                        twin::quantity::dim_level});
  batcher.add(readings);
  size_t full = sent.size();
  for (const auto& [shard, n] : sent)
    CHECK(n == 4);
  batcher.flush();
  size_t total = 0;
  for (const auto& [shard, n] : sent)
    total += n;
  CHECK(total == 30);
  // 30 readings over 3 shards in batches of at most 4: at most 3 partial
  // batches after the full ones, and far fewer messages than readings.
  CHECK(sent.size() <= full + 3);
  CHECK(sent.size() < 30);
  CHECK(counters.snapshot().batches_sent == sent.size());
}

TEST_CASE("SenML through the batcher updates the twin", "[adapters]") {
  test::deterministic fix;
  auto c = test::small_city();
  auto handles = actors::spawn_twin(fix.sys, c, {2, 1});
  REQUIRE(handles);
  fix.sched.run();
  std::istringstream in{
    "citytwin-bindings 1\n"
    "device urn:dev:lamp:4: urn:ngsi-ld:StreetLight:test:000004\n"
    "device urn:dev:lamp:5: urn:ngsi-ld:StreetLight:test:000005\n"
    "device urn:dev:ghost: urn:ngsi-ld:StreetLight:test:000999\n"};
  auto table = read_bindings(in, "inline");
  REQUIRE(table);
  ingest_counters counters;
  payload_decoder decoder{
    {std::make_shared<const binding_table>(std::move(*table)), "test", "test"},
    counters};
  shard_batcher batcher{handles->routers.size(), 1024,
                        router_sink(handles->routers), counters};
  constexpr twin::time_ms now = 1'700'000'000'000;
  twin::reading_batch out;
  decoder.decode("city/test/lamp/4",
                 R"([{"bn":"urn:dev:lamp:4:","bt":1600000000,
                      "n":"dim_level","v":0.3},
                     {"n":"dim_level","t":60,"v":0.6},
                     {"bn":"urn:dev:lamp:5:","n":"dim_level","v":7},
                     {"bn":"urn:dev:ghost:","n":"dim_level","v":0.1}])",
                 now, out);
  REQUIRE(out.size() == 4);
  batcher.add(out);
  batcher.flush();
  fix.sched.run();
  auto lamp = fix.ask<twin::entity_state>(
    handles->front, caf::get_atom_v,
    twin::entity_id{twin::entity_kind::street_lamp, 4});
  REQUIRE(lamp);
  // The later of the two readings wins; both were applied.
  CHECK(lamp->as<twin::street_lamp_state>().dim_level == 0.6);
  CHECK(lamp->num_applied == 2);
  auto stats = fix.ask<actors::twin_stats>(handles->front,
                                           actors::stats_atom_v);
  REQUIRE(stats);
  CHECK(stats->readings == 4);
  CHECK(stats->unknown_entity == 1);    // lamp 999 does not exist
  CHECK(stats->readings_rejected == 1); // dim level 7 is out of range
  CHECK(stats->readings_applied() == 2);
  // At most one message per shard for the whole pack.
  CHECK(counters.snapshot().batches_sent <= handles->routers.size());
}
