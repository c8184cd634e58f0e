// tests/actors/city_twin.cpp: a whole (small) twin, end to end.
#include "actors/spawn_twin.hpp"

#include "actors/shard.hpp"
#include "actors/type_ids.hpp"
#include "deterministic.hpp"
#include "test_data.hpp"

#include <caf/typed_event_based_actor.hpp>

using namespace citytwin;
using namespace citytwin::actors;
using twin::entity_kind;
using twin::quantity;

namespace {

constexpr twin::time_ms t0 = 1'700'000'000'000;

} // namespace

TEST_CASE("spawning a twin makes one actor per entity", "[actors]") {
  test::deterministic fix;
  auto c = test::small_city();
  auto handles = spawn_twin(fix.sys, c, {3, 1});
  REQUIRE(handles);
  fix.sched.run();
  CHECK(handles->entities->size() == c.num_entities());
  CHECK(handles->routers.size() == 3);
  auto stats = fix.ask<twin_stats>(handles->front, stats_atom_v);
  REQUIRE(stats);
  CHECK(stats->city == "test");
  CHECK(stats->shards == 3);
  CHECK(stats->entities_by_kind[twin::index_of(entity_kind::street_lamp)]
        == 10);
  CHECK(stats->readings == 0);
}

TEST_CASE("readings reach their entities through the twin", "[actors]") {
  test::deterministic fix;
  auto c = test::small_city();
  auto handles = spawn_twin(fix.sys, c, {2, 1});
  REQUIRE(handles);
  twin::entity_id lamp{entity_kind::street_lamp, 4};
  twin::entity_id segment{entity_kind::road_segment, 2};
  twin::entity_id ghost{entity_kind::street_lamp, 999};
  fix.self->send(handles->front, observe_atom_v,
                 twin::reading_batch{
                   {lamp, t0, 0.7, quantity::dim_level},
                   {segment, t0, 12, quantity::mean_speed},
                   {ghost, t0, 1, quantity::dim_level},
                   {segment, t0, 9000, quantity::vehicle_flow},
                   {lamp, t0, 7, quantity::dim_level}, // out of range
                 });
  fix.sched.run();
  auto lamp_state = fix.ask<twin::entity_state>(handles->front,
                                                caf::get_atom_v, lamp);
  REQUIRE(lamp_state);
  CHECK(lamp_state->as<twin::street_lamp_state>().dim_level == 0.7);
  auto seg_state = fix.ask<twin::entity_state>(handles->front,
                                               caf::get_atom_v, segment);
  REQUIRE(seg_state);
  CHECK(seg_state->as<twin::road_segment_state>().flow_veh_h == 9000);
  // The generator gives local streets 30 km/h: 12 km/h is 0.4 -> heavy.
  CHECK(seg_state->as<twin::road_segment_state>().level
        == twin::congestion::heavy);
  auto stats = fix.ask<twin_stats>(handles->front, stats_atom_v);
  REQUIRE(stats);
  CHECK(stats->readings == 5);
  CHECK(stats->unknown_entity == 1);
  CHECK(stats->readings_rejected == 1);
  CHECK(stats->readings_applied() == 3);
  CHECK(stats->deltas == 2);
}

TEST_CASE("asking for an unknown entity is an error, not a hang",
          "[actors]") {
  test::deterministic fix;
  auto c = test::small_city();
  auto handles = spawn_twin(fix.sys, c, {1, 1});
  REQUIRE(handles);
  auto state = fix.ask<twin::entity_state>(
    handles->front, caf::get_atom_v,
    twin::entity_id{entity_kind::camera, 1});
  CHECK_FALSE(state);
  CHECK(fix.last_error == twin::errc::unknown_entity);
}

TEST_CASE("readings of one entity keep their order across shards",
          "[actors]") {
  test::deterministic fix;
  auto c = test::small_city();
  auto handles = spawn_twin(fix.sys, c, {4, 1});
  REQUIRE(handles);
  // Many batches in a row; with round-robin routing the later ones could
  // overtake earlier ones and be refused as stale.
  std::vector<twin::entity_id> ids;
  for (uint32_t i = 0; i < 5; ++i)
    ids.push_back({entity_kind::waste_bin, i});
  for (int step = 0; step < 50; ++step) {
    twin::reading_batch batch;
    for (auto id : ids)
      batch.push_back({id, t0 + step * 1000, step / 100.0,
                       quantity::fill_level});
    fix.self->send(handles->front, observe_atom_v, std::move(batch));
  }
  fix.sched.run();
  auto stats = fix.ask<twin_stats>(handles->front, stats_atom_v);
  REQUIRE(stats);
  CHECK(stats->readings_rejected == 0);
  CHECK(stats->readings_applied() == 250);
  for (auto id : ids) {
    auto st = fix.ask<twin::entity_state>(handles->front, caf::get_atom_v, id);
    REQUIRE(st);
    CHECK(st->as<twin::waste_bin_state>().fill_level == 0.49);
  }
}

TEST_CASE("subscribing at the twin covers every shard", "[actors]") {
  test::deterministic fix;
  auto c = test::small_city();
  auto handles = spawn_twin(fix.sys, c, {3, 1});
  REQUIRE(handles);
  auto received = std::make_shared<size_t>(0);
  subscriber_actor sub = fix.sys.spawn(
    [received]() -> subscriber_actor::behavior_type {
      return {[received](const twin::delta_batch& batch) {
        *received += batch.size();
      }};
    });
  REQUIRE(fix.ask<caf::ok_atom>(handles->front, caf::subscribe_atom_v, sub,
                                subscription_filter{}));
  twin::reading_batch batch;
  for (uint32_t i = 0; i < 10; ++i)
    batch.push_back({{entity_kind::street_lamp, i}, t0, 1,
                     quantity::dim_level});
  fix.self->send(handles->front, observe_atom_v, std::move(batch));
  fix.sched.run();
  CHECK(*received == 10);
  // Ten lamps are spread over the three shards, so every publisher took part.
  std::vector<size_t> per_shard(3);
  for (uint32_t i = 0; i < 10; ++i)
    ++per_shard[shard_of({entity_kind::street_lamp, i}, 3)];
  CHECK(std::count(per_shard.begin(), per_shard.end(), 0) == 0);
}
