// tests/actors/commands.cpp: commands travel to actuators as messages,
// change their state, show in deltas, and refusals come back and count.
#include "actors/spawn_twin.hpp"

#include "actors/type_ids.hpp"
#include "deterministic.hpp"
#include "test_data.hpp"
#include "twin/error.hpp"

#include <caf/typed_event_based_actor.hpp>

using namespace citytwin;
using namespace citytwin::actors;
using twin::entity_kind;
using twin::quantity;

namespace {

constexpr twin::time_ms t0 = 1'700'000'000'000;

twin::command dim(twin::entity_id lamp, double level) {
  twin::command result;
  result.target = lamp;
  result.kind = twin::command_kind::dim;
  result.level = level;
  result.time = t0;
  result.issuer = "operator:test";
  result.reason = "test";
  return result;
}

} // namespace

TEST_CASE("a command reaches its lamp through the twin and shows in deltas",
          "[actors][command]") {
  test::deterministic fix;
  auto c = test::small_city();
  auto handles = spawn_twin(fix.sys, c, {2, 1});
  REQUIRE(handles);
  auto seen = std::make_shared<twin::delta_batch>();
  subscriber_actor sub = fix.sys.spawn(
    [seen]() -> subscriber_actor::behavior_type {
      return {[seen](const twin::delta_batch& batch) {
        seen->insert(seen->end(), batch.begin(), batch.end());
      }};
    });
  REQUIRE(fix.ask<caf::ok_atom>(handles->front, caf::subscribe_atom_v, sub,
                                subscription_filter{}));
  twin::entity_id lamp{entity_kind::street_lamp, 4};
  auto after = fix.ask<twin::entity_state>(handles->front, command_atom_v,
                                           dim(lamp, 0.8));
  REQUIRE(after);
  CHECK(after->as<twin::street_lamp_state>().dim_level == 0.8);
  CHECK(after->as<twin::street_lamp_state>().commands == 1);
  fix.sched.run();
  REQUIRE(seen->size() == 1);
  CHECK(seen->front().state.id == lamp);
  CHECK((seen->front().changed & twin::actuation_bit) != 0);
  CHECK((seen->front().changed & twin::bit(quantity::dim_level)) != 0);
  // The twin's state is the entity's: asked again, the lamp says the same.
  auto now = fix.ask<twin::entity_state>(handles->front, caf::get_atom_v, lamp);
  REQUIRE(now);
  CHECK(now->as<twin::street_lamp_state>().dim_level == 0.8);
}

TEST_CASE("refused commands come back with the reason and are counted",
          "[actors][command]") {
  test::deterministic fix;
  auto c = test::small_city();
  auto handles = spawn_twin(fix.sys, c, {2, 1});
  REQUIRE(handles);
  twin::entity_id lamp{entity_kind::street_lamp, 2};
  // The lamp reports a fault, so it cannot be dimmed.
  fix.self->send(handles->front, observe_atom_v,
                 twin::reading_batch{{lamp, t0, 1, quantity::lamp_fault}});
  fix.sched.run();
  CHECK_FALSE(fix.ask<twin::entity_state>(handles->front, command_atom_v,
                                          dim(lamp, 1)));
  CHECK(fix.last_error == twin::errc::actuator_fault);
  // Out of range: refused before it reaches the lamp.
  CHECK_FALSE(fix.ask<twin::entity_state>(handles->front, command_atom_v,
                                          dim({entity_kind::street_lamp, 3},
                                              2)));
  CHECK(fix.last_error == twin::errc::out_of_range);
  // No such lamp; a bin is no actuator.
  CHECK_FALSE(fix.ask<twin::entity_state>(
    handles->front, command_atom_v, dim({entity_kind::street_lamp, 999}, 1)));
  CHECK(fix.last_error == twin::errc::unknown_entity);
  auto bin_command = dim({entity_kind::waste_bin, 1}, 1);
  CHECK_FALSE(fix.ask<twin::entity_state>(handles->front, command_atom_v,
                                          bin_command));
  CHECK(fix.last_error == twin::errc::not_an_actuator);
  // One honoured.
  REQUIRE(fix.ask<twin::entity_state>(handles->front, command_atom_v,
                                      dim({entity_kind::street_lamp, 5}, 1)));
  auto stats = fix.ask<twin_stats>(handles->front, stats_atom_v);
  REQUIRE(stats);
  CHECK(stats->commands == 5);
  CHECK(stats->commands_refused == 4);
  // The faulty lamp kept its state.
  auto st = fix.ask<twin::entity_state>(handles->front, caf::get_atom_v, lamp);
  REQUIRE(st);
  CHECK(st->as<twin::street_lamp_state>().commands == 0);
}

TEST_CASE("a traffic light takes a signal plan and a mode by message",
          "[actors][command]") {
  test::deterministic fix;
  auto c = test::small_city();
  auto [light, phases] = test::first_signalised(c);
  REQUIRE(phases > 0);
  auto handles = spawn_twin(fix.sys, c, {2, 1});
  REQUIRE(handles);
  twin::command plan;
  plan.target = light;
  plan.kind = twin::command_kind::signal_plan;
  plan.num_phases = phases;
  for (uint8_t i = 0; i < phases; ++i)
    plan.green_s[i] = static_cast<uint16_t>(20 + i);
  plan.issuer = "operator:test";
  auto after = fix.ask<twin::entity_state>(handles->front, command_atom_v,
                                           plan);
  REQUIRE(after);
  CHECK(after->as<twin::intersection_state>().green_s[0] == 20);
  twin::command flashing;
  flashing.target = light;
  flashing.kind = twin::command_kind::signal_mode;
  flashing.mode = twin::signal_mode::flashing;
  after = fix.ask<twin::entity_state>(handles->front, command_atom_v,
                                      flashing);
  REQUIRE(after);
  CHECK(after->as<twin::intersection_state>().mode
        == twin::signal_mode::flashing);
  CHECK(after->as<twin::intersection_state>().commands == 2);
  // A plan for another number of phases is refused by the light itself.
  plan.num_phases = static_cast<uint8_t>(phases == 2 ? 3 : 2);
  for (uint8_t i = 0; i < twin::max_plan_phases; ++i)
    plan.green_s[i] = i < plan.num_phases ? 30 : 0;
  CHECK_FALSE(fix.ask<twin::entity_state>(handles->front, command_atom_v,
                                          plan));
  CHECK(fix.last_error == twin::errc::actuator_fault);
}
