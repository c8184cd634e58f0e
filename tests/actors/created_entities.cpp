// tests/actors/created_entities.cpp: sensor entities created at runtime
// (for ids the city file does not have) live in their shard like any
// other entity: reachable, counted, publishing deltas.
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

// A subscriber that keeps every delta it gets.
subscriber_actor collect(caf::actor_system& sys,
                         std::shared_ptr<twin::delta_batch> out) {
  return sys.spawn([out]() -> subscriber_actor::behavior_type {
    return {[out](const twin::delta_batch& batch) {
      out->insert(out->end(), batch.begin(), batch.end());
    }};
  });
}

size_t count(const twin_stats& s, entity_kind kind) {
  return s.entities_by_kind[twin::index_of(kind)];
}

} // namespace

TEST_CASE("the directory knows where runtime numbers start", "[actors]") {
  directory dir;
  CHECK(dir.next_number(entity_kind::camera) == 0);
  dir.add({entity_kind::camera, 0}, {});
  dir.add({entity_kind::camera, 1}, {});
  CHECK(dir.next_number(entity_kind::camera) == 2);
  // Sparse numbers: one above the highest, not the count.
  dir.add({entity_kind::camera, 41}, {});
  dir.add({entity_kind::camera, 7}, {});
  CHECK(dir.next_number(entity_kind::camera) == 42);
  CHECK(dir.next_number(entity_kind::noise_sensor) == 0);
}

TEST_CASE("a sensor created through the twin takes readings and publishes",
          "[actors]") {
  test::deterministic fix;
  auto c = test::small_city();
  auto handles = spawn_twin(fix.sys, c, {3, 1});
  REQUIRE(handles);
  auto deltas = std::make_shared<twin::delta_batch>();
  REQUIRE(fix.ask<caf::ok_atom>(handles->front, caf::subscribe_atom_v,
                                collect(fix.sys, deltas),
                                subscription_filter{}));
  auto before = fix.ask<twin_stats>(handles->front, stats_atom_v);
  REQUIRE(before);
  CHECK(before->created == 0);
  auto number = handles->entities->next_number(entity_kind::air_quality);
  twin::entity_id fresh{entity_kind::air_quality, number};
  // Not there yet: an error naming it, not a hang.
  CHECK_FALSE(fix.ask<twin::entity_state>(handles->front, caf::get_atom_v,
                                          fresh));
  CHECK(fix.last_error == twin::errc::unknown_entity);
  CHECK(twin::describe(fix.last_error).find(twin::to_urn(fresh, "test"))
        != std::string::npos);
  // Create and feed in one go: both pass the TWIN, then the shard's ROUTER,
  // so the entity exists before its first reading arrives.
  fix.self->send(handles->front, create_atom_v, fresh);
  fix.self->send(handles->front, observe_atom_v,
                 twin::reading_batch{{fresh, t0, 21.5, quantity::temperature},
                                     {fresh, t0, 40, quantity::pm10}});
  fix.sched.run();
  auto st = fix.ask<twin::entity_state>(handles->front, caf::get_atom_v,
                                        fresh);
  REQUIRE(st);
  CHECK(st->id == fresh);
  CHECK(st->updated == t0);
  CHECK(twin::value_of(*st, quantity::temperature) == 21.5);
  CHECK(twin::value_of(*st, quantity::pm10) == 40.0);
  // One delta for the batch of two readings, from the entity's shard.
  REQUIRE(deltas->size() == 1);
  CHECK(deltas->front().state.id == fresh);
  auto after = fix.ask<twin_stats>(handles->front, stats_atom_v);
  REQUIRE(after);
  CHECK(after->created == 1);
  CHECK(count(*after, entity_kind::air_quality)
        == count(*before, entity_kind::air_quality) + 1);
  CHECK(after->readings_applied() == 2);
  CHECK(after->unknown_entity == 0);
}

TEST_CASE("routers create only new sensor ids of their own", "[actors]") {
  test::deterministic fix;
  auto c = test::small_city();
  auto handles = spawn_twin(fix.sys, c, {2, 1});
  REQUIRE(handles);
  auto shard = [&](twin::entity_id id) {
    return handles->routers[shard_of(id, handles->routers.size())];
  };
  twin::entity_id car_park{entity_kind::parking_sensor,
                           handles->entities->next_number(
                             entity_kind::parking_sensor)};
  twin::entity_id lamp{entity_kind::street_lamp,
                       handles->entities->next_number(
                         entity_kind::street_lamp)};
  twin::entity_id existing{entity_kind::street_lamp, 0};
  // What the MQTT edge does: the creation and then the readings go to
  // the shard's ROUTER straight from outside any actor.
  caf::anon_send(shard(car_park), create_atom_v, car_park);
  caf::anon_send(shard(car_park), create_atom_v, car_park); // again: refused
  caf::anon_send(shard(lamp), create_atom_v, lamp);         // no sensor
  caf::anon_send(shard(existing), create_atom_v, existing); // taken
  for (int step = 0; step < 20; ++step)
    caf::anon_send(shard(car_park), observe_atom_v,
                   twin::reading_batch{{car_park, t0 + step * 60'000,
                                        double(100 + step),
                                        quantity::free_spaces}});
  fix.sched.run();
  auto st = fix.ask<twin::entity_state>(handles->front, caf::get_atom_v,
                                        car_park);
  REQUIRE(st);
  // All 20 in order: none stale, the last one is the state.
  CHECK(st->num_applied == 20);
  CHECK(st->as<twin::parking_sensor_state>().free == 119);
  auto stats = fix.ask<twin_stats>(handles->front, stats_atom_v);
  REQUIRE(stats);
  CHECK(stats->created == 1);
  CHECK(stats->readings_rejected == 0);
  CHECK(count(*stats, entity_kind::street_lamp) == 10); // unchanged
  uint64_t refused = 0;
  for (const auto& r : handles->routers) {
    auto s = fix.ask<router_stats>(r, stats_atom_v);
    REQUIRE(s);
    refused += s->create_refused;
  }
  CHECK(refused == 3);
  CHECK_FALSE(fix.ask<twin::entity_state>(handles->front, caf::get_atom_v,
                                          lamp));
}

TEST_CASE("readings for a created id that was never created stay unknown",
          "[actors]") {
  test::deterministic fix;
  auto c = test::small_city();
  auto handles = spawn_twin(fix.sys, c, {2, 1});
  REQUIRE(handles);
  twin::entity_id ghost{entity_kind::camera,
                        handles->entities->next_number(entity_kind::camera)};
  fix.self->send(handles->front, observe_atom_v,
                 twin::reading_batch{{ghost, t0, 3, quantity::people_count}});
  fix.sched.run();
  auto stats = fix.ask<twin_stats>(handles->front, stats_atom_v);
  REQUIRE(stats);
  CHECK(stats->unknown_entity == 1);
  CHECK(stats->created == 0);
}
