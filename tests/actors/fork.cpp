// tests/actors/fork.cpp: forking the live twin for a what-if run.
#include "actors/spawn_twin.hpp"

#include "actors/type_ids.hpp"
#include "deterministic.hpp"
#include "test_data.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <map>

using namespace citytwin;
using namespace citytwin::actors;
using twin::entity_kind;
using twin::quantity;

namespace {

constexpr twin::time_ms t0 = 1'700'000'000'000;

uint32_t mask_of(std::initializer_list<entity_kind> kinds) {
  subscription_filter f;
  for (auto k : kinds)
    f.with(k);
  return f.kinds;
}

// One flow reading per road segment of `c`, all `flow` at time `t`.
twin::reading_batch flows(const twin::city& c, twin::time_ms t, double flow) {
  twin::reading_batch result;
  twin::for_each_initial_state(c, [&](const twin::entity_state& st) {
    if (st.id.kind == entity_kind::road_segment)
      result.push_back({st.id, t, flow, quantity::vehicle_flow});
  });
  return result;
}

} // namespace

TEST_CASE("a fork copies exactly the readings routed before it",
          "[actors][fork]") {
  test::deterministic fix;
  auto c = test::small_city();
  auto handles = spawn_twin(fix.sys, c, {3, 1});
  REQUIRE(handles);
  fix.sched.run();
  // Before, the fork, after: nothing runs in between, so every message is
  // still queued; the order in each mailbox decides what the fork holds.
  fix.self->send(handles->front, observe_atom_v, flows(c, t0, 600));
  auto pending = fix.self->request(handles->front, std::chrono::seconds(10),
                                   fork_atom_v,
                                   mask_of({entity_kind::road_segment}));
  fix.self->send(handles->front, observe_atom_v, flows(c, t0 + 1000, 900));
  fix.sched.run();
  std::optional<twin_fork> fork;
  pending.receive([&](twin_fork& x) { fork = std::move(x); },
                  [&](caf::error& err) { FAIL(to_string(err)); });
  REQUIRE(fork);
  CHECK(fork->city == "test");
  CHECK(fork->as_of == t0);
  size_t segments = 0;
  twin::for_each_initial_state(c, [&](const twin::entity_state& st) {
    segments += st.id.kind == entity_kind::road_segment;
  });
  REQUIRE(fork->states.size() == segments);
  std::map<twin::entity_id, int> seen;
  for (const auto& st : fork->states) {
    REQUIRE(st.id.kind == entity_kind::road_segment);
    ++seen[st.id];
    CHECK(st.as<twin::road_segment_state>().flow_veh_h == 600);
  }
  CHECK(seen.size() == segments); // each once
  // The live twin went on: it holds the later readings.
  auto live = fix.ask<twin::entity_state>(
    handles->front, caf::get_atom_v, fork->states.front().id);
  REQUIRE(live);
  CHECK(live->as<twin::road_segment_state>().flow_veh_h == 900);
}

TEST_CASE("a fork covers several kinds and entities created at runtime",
          "[actors][fork]") {
  test::deterministic fix;
  auto c = test::small_city();
  auto handles = spawn_twin(fix.sys, c, {2, 1});
  REQUIRE(handles);
  twin::entity_id created{entity_kind::traffic_counter,
                          handles->entities->next_number(
                            entity_kind::traffic_counter)};
  fix.self->send(handles->front, create_atom_v, created);
  fix.self->send(handles->front, observe_atom_v,
                 twin::reading_batch{{created, t0, 420, quantity::vehicle_flow}});
  fix.sched.run();
  auto fork = fix.ask<twin_fork>(
    handles->front, fork_atom_v,
    mask_of({entity_kind::intersection, entity_kind::traffic_counter}));
  REQUIRE(fork);
  auto expected = handles->entities->count(entity_kind::intersection)
                  + handles->entities->count(entity_kind::traffic_counter)
                  + 1;
  CHECK(fork->states.size() == expected);
  auto it = std::find_if(fork->states.begin(), fork->states.end(),
                         [&](auto& st) { return st.id == created; });
  REQUIRE(it != fork->states.end());
  CHECK(it->as<twin::traffic_counter_state>().flow_veh_h == 420);
}

TEST_CASE("a fork of no kinds is empty, not a hang", "[actors][fork]") {
  test::deterministic fix;
  auto c = test::small_city();
  auto handles = spawn_twin(fix.sys, c, {2, 1});
  REQUIRE(handles);
  auto fork = fix.ask<twin_fork>(handles->front, fork_atom_v, uint32_t{0});
  REQUIRE(fork);
  CHECK(fork->states.empty());
  CHECK(fork->as_of == 0);
}
