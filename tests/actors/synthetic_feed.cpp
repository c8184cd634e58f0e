// tests/actors/synthetic_feed.cpp
#include "actors/synthetic_feed.hpp"

#include "actors/spawn_twin.hpp"
#include "actors/type_ids.hpp"
#include "deterministic.hpp"
#include "test_data.hpp"

#include <algorithm>
#include <set>

using namespace citytwin;
using namespace citytwin::actors;
using twin::entity_kind;

namespace {

// 2024-06-21 in Aarhus (UTC+1 standard time, small_city's default centre).
constexpr twin::time_ms midnight_utc = 1'718'928'000'000;
constexpr twin::time_ms hour = 3'600'000;

} // namespace

TEST_CASE("the feed model is deterministic per seed", "[actors]") {
  auto c = std::make_shared<const twin::city>(test::small_city());
  synthetic_feed_model a{c, 5};
  synthetic_feed_model b{c, 5};
  for (int i = 1; i <= 3; ++i) {
    auto x = a.step(midnight_utc + i * 60'000, 60);
    auto y = b.step(midnight_utc + i * 60'000, 60);
    REQUIRE(x.size() == y.size());
    for (size_t k = 0; k < x.size(); ++k)
      CHECK(x[k].value == y[k].value);
  }
}

TEST_CASE("lamps follow the sun at the city's position", "[actors]") {
  auto c = std::make_shared<const twin::city>(test::small_city());
  synthetic_feed_model model{c, 1};
  CHECK(model.lamp_level(midnight_utc + 12 * hour) == 0); // noon
  CHECK(model.lamp_level(midnight_utc + 23 * hour) == 1); // night
  // 02:00 local is 01:00 UTC: dimmed for the small hours... but at
  // midsummer in Aarhus it is twilight, not full night, then.
  CHECK(model.lamp_level(midnight_utc + 1 * hour) <= 0.5);
}

TEST_CASE("traffic peaks in the rush hours", "[actors]") {
  auto p = &synthetic_feed_model::traffic_profile;
  CHECK(p(8) > 0.8);
  CHECK(p(17.2) > 0.9);
  CHECK(p(3) < 0.15);
  CHECK(p(8) > p(11));
}

TEST_CASE("the feed actor drives the twin on simulated time", "[actors]") {
  test::deterministic fix;
  auto c = std::make_shared<const twin::city>(test::small_city());
  auto handles = spawn_twin(fix.sys, *c, {2, 1});
  REQUIRE(handles);
  synthetic_feed_config config;
  config.start = midnight_utc + 7 * hour; // 08:00 local
  auto feed = fix.sys.spawn(synthetic_feed, c, config, handles->front);
  fix.self->send(feed, caf::tick_atom_v);
  fix.sched.run();
  // The next tick waits for the (virtual) clock.
  CHECK(*fix.ask<twin::time_ms>(feed, caf::get_atom_v)
        == config.start + 60'000);
  fix.sched.advance_time(config.tick);
  fix.sched.run();
  CHECK(*fix.ask<twin::time_ms>(feed, caf::get_atom_v)
        == config.start + 120'000);
  auto stats = fix.ask<twin_stats>(handles->front, stats_atom_v);
  REQUIRE(stats);
  CHECK(stats->readings > 0);
  CHECK(stats->readings_rejected == 0);
  CHECK(stats->unknown_entity == 0);
  // Morning rush: segments carry traffic.
  auto seg = fix.ask<twin::entity_state>(
    handles->front, caf::get_atom_v,
    twin::entity_id{entity_kind::road_segment, 0});
  REQUIRE(seg);
  CHECK(seg->as<twin::road_segment_state>().flow_veh_h > 0);
  caf::anon_send_exit(feed, caf::exit_reason::user_shutdown);
}

namespace {

// The phases the model reports for `light` over `steps` steps of 10 s.
std::vector<double> phases_of(synthetic_feed_model& model,
                              twin::entity_id light, twin::time_ms from,
                              int steps) {
  std::vector<double> result;
  for (int i = 0; i < steps; ++i)
    for (const auto& r : model.step(from + i * 10'000, 10))
      if (r.target == light && r.what == twin::quantity::signal_phase)
        result.push_back(r.value);
  return result;
}

twin::delta commanded(twin::entity_id light, twin::intersection_state told) {
  auto st = twin::make_state(light);
  st.detail = told;
  return {st, twin::actuation_bit};
}

} // namespace

TEST_CASE("the simulated lights follow commanded modes and plans",
          "[actors][command]") {
  auto c = std::make_shared<const twin::city>(test::small_city());
  auto [light, phases] = test::first_signalised(*c);
  REQUIRE(phases >= 2);
  synthetic_feed_model model{c, 1};
  auto start = midnight_utc + 7 * hour;
  // Its own timing: phases change, every reading a valid phase.
  auto own = phases_of(model, light, start, 60);
  REQUIRE(own.size() == 60);
  CHECK(std::set<double>(own.begin(), own.end()).size() > 1);
  // Flashing: no phase runs, so the light reports none.
  twin::intersection_state told;
  told.num_phases = phases;
  told.mode = twin::signal_mode::flashing;
  model.follow(commanded(light, told));
  CHECK(phases_of(model, light, start, 60).empty());
  // A plan: phase 0 for its green, then the others; a 10-phase-0 : 1
  // split shows mostly phase 0.
  told.mode = twin::signal_mode::normal;
  told.green_s = {};
  told.green_s[0] = 150;
  for (uint8_t i = 1; i < phases; ++i)
    told.green_s[i] = 5;
  model.follow(commanded(light, told));
  auto planned = phases_of(model, light, start, 60);
  REQUIRE(planned.size() == 60);
  auto zeros = std::count(planned.begin(), planned.end(), 0.0);
  CHECK(zeros >= 45);
  CHECK(zeros < 60);
  for (auto p : planned)
    CHECK(p < phases);
  // A delta without actuation_bit (a reading) changes nothing it follows.
  told.mode = twin::signal_mode::all_red;
  auto reading = commanded(light, told);
  reading.changed = twin::bit(twin::quantity::signal_phase);
  model.follow(reading);
  CHECK(phases_of(model, light, start, 6).size() == 6);
}

TEST_CASE("the feed actor hears the twin's commands", "[actors][command]") {
  test::deterministic fix;
  auto c = std::make_shared<const twin::city>(test::small_city());
  auto [light, phases] = test::first_signalised(*c);
  REQUIRE(phases > 0);
  auto handles = spawn_twin(fix.sys, *c, {2, 1});
  REQUIRE(handles);
  synthetic_feed_config config;
  config.start = midnight_utc + 7 * hour;
  auto feed = fix.sys.spawn(synthetic_feed, c, config, handles->front);
  fix.sched.run(); // the feed subscribes
  twin::command flashing;
  flashing.target = light;
  flashing.kind = twin::command_kind::signal_mode;
  flashing.mode = twin::signal_mode::flashing;
  REQUIRE(fix.ask<twin::entity_state>(handles->front, command_atom_v,
                                      flashing));
  auto before = fix.ask<twin::entity_state>(handles->front, caf::get_atom_v,
                                            light);
  REQUIRE(before);
  // Ten ticks of 60 simulated s: the fixed cycle would change the phase.
  fix.self->send(feed, caf::tick_atom_v);
  fix.sched.run();
  for (int i = 0; i < 9; ++i) {
    fix.sched.advance_time(config.tick);
    fix.sched.run();
  }
  auto after = fix.ask<twin::entity_state>(handles->front, caf::get_atom_v,
                                           light);
  REQUIRE(after);
  CHECK(after->as<twin::intersection_state>().phase_changes
        == before->as<twin::intersection_state>().phase_changes);
  CHECK(after->num_applied == before->num_applied);
  // Other lights still run.
  auto stats = fix.ask<twin_stats>(handles->front, stats_atom_v);
  REQUIRE(stats);
  CHECK(stats->readings_rejected == 0);
  caf::anon_send_exit(feed, caf::exit_reason::user_shutdown);
}
