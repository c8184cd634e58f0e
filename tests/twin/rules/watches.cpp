// tests/twin/rules/watches.cpp
// The watches beside rules: stale sensors (twin/rules/stale_watch) learn
// each sensor's usual interval and raise an alert after `factor` of them
// in silence; actuators (twin/rules/actuator_watch) raise one when a lamp
// does not report the level it was commanded in time. Simulated time only:
// every "now" is a reading time the test chooses.

#include "twin/command.hpp"
#include "twin/rules/actuator_watch.hpp"
#include "twin/rules/stale_watch.hpp"

#include <catch2/catch.hpp>

#include <vector>

using namespace citytwin;
using twin::entity_id;
using twin::entity_kind;
using twin::time_ms;

namespace {

constexpr time_ms t0 = 1'700'000'000'000;
constexpr time_ms minute = 60'000;

rules::stale_watch_config stale_config() {
  rules::stale_watch_config result;
  result.enabled = true;
  result.kinds = {entity_kind::air_quality};
  result.factor = 3;
  result.learn = 3;
  result.at_least_ms = minute;
  return result;
}

twin::entity_state sensor_at(entity_id id, time_ms t) {
  auto result = twin::make_state(id);
  result.updated = t;
  return result;
}

// Feeds `id` readings every `interval` from `from`, `n` times.
time_ms report(rules::stale_watch& w, entity_id id, time_ms from,
               time_ms interval, int n, std::vector<rules::alert_change>& out) {
  time_ms t = from;
  for (int i = 0; i < n; ++i, t += interval)
    w.observe(sensor_at(id, t), out);
  return t - interval;
}

} // namespace

TEST_CASE("a sensor silent for factor times its usual interval is stale",
          "[twin][rules][watch]") {
  rules::stale_watch w{stale_config()};
  entity_id s{entity_kind::air_quality, 1};
  std::vector<rules::alert_change> out;
  auto last = report(w, s, t0, minute, 5, out); // usual interval 1 min
  CHECK(out.empty());
  std::vector<entity_id> suspects;
  w.evaluate(last + 3 * minute - 1, suspects); // not yet
  CHECK(suspects.empty());
  w.evaluate(last + 3 * minute + 1, suspects);
  REQUIRE(suspects == std::vector<entity_id>{s});
  // Asked again before the twin answered: handed out once.
  std::vector<entity_id> again;
  w.evaluate(last + 4 * minute, again);
  CHECK(again.empty());
  // The twin's state shows no newer reading: stale.
  w.checked(sensor_at(s, last), last + 4 * minute, out);
  REQUIRE(out.size() == 1);
  CHECK(out[0].raised);
  CHECK(out[0].kind == "stale_sensor");
  CHECK(out[0].rule == rules::stale_watch_name);
  CHECK(out[0].anchor == s);
  CHECK(out[0].text == "no data for 4m");
  CHECK(out[0].why.find("usual interval 1m") != std::string::npos);
  CHECK(w.num_stale() == 1);
  // Its next reading clears the alert.
  out.clear();
  w.observe(sensor_at(s, last + 10 * minute), out);
  REQUIRE(out.size() == 1);
  CHECK_FALSE(out[0].raised);
  CHECK(w.num_stale() == 0);
}

TEST_CASE("a sensor repeating its value is alive, not stale",
          "[twin][rules][watch]") {
  // Deltas stop when values repeat; the twin's state still moves on.
  rules::stale_watch w{stale_config()};
  entity_id s{entity_kind::air_quality, 2};
  std::vector<rules::alert_change> out;
  auto last = report(w, s, t0, minute, 5, out);
  std::vector<entity_id> suspects;
  w.evaluate(last + 4 * minute, suspects);
  REQUIRE(suspects.size() == 1);
  w.checked(sensor_at(s, last + 3 * minute + 30'000), last + 4 * minute, out);
  CHECK(out.empty());
  // Watched again from the reading the twin showed.
  suspects.clear();
  w.evaluate(last + 6 * minute, suspects);
  CHECK(suspects.empty());
  w.evaluate(last + 7 * minute, suspects);
  CHECK(suspects.size() == 1);
}

TEST_CASE("the stale watch learns each sensor's interval, and not outages",
          "[twin][rules][watch]") {
  rules::stale_watch w{stale_config()};
  entity_id fast{entity_kind::air_quality, 3};
  entity_id slow{entity_kind::air_quality, 4};
  std::vector<rules::alert_change> out;
  report(w, fast, t0, minute, 6, out);
  auto slow_last = report(w, slow, t0, 15 * minute, 4, out);
  std::vector<entity_id> suspects;
  // 30 minutes after the slow sensor's last reading: the fast one (last
  // at t0 + 5 min) is long overdue, the slow one (every 15 min) is not.
  w.evaluate(slow_last + 30 * minute, suspects);
  CHECK(suspects == std::vector<entity_id>{fast});
  w.evaluate(slow_last + 45 * minute + 1, suspects);
  CHECK(suspects == std::vector<entity_id>{fast, slow});
  w.checked(sensor_at(fast, t0 + 5 * minute), slow_last + 46 * minute, out);
  REQUIRE(out.size() == 1);
  // Back after an outage of hours: the gap is not learned, so it is stale
  // after three minutes again, not after hours.
  out.clear();
  auto back = slow_last + 5 * 60 * minute;
  w.observe(sensor_at(fast, back), out);
  REQUIRE(out.size() == 1);
  CHECK_FALSE(out[0].raised);
  suspects.clear();
  w.evaluate(back + 3 * minute + 1, suspects);
  CHECK(suspects == std::vector<entity_id>{fast});
}

TEST_CASE("the stale watch needs `learn` intervals and `at_least` silence",
          "[twin][rules][watch]") {
  auto config = stale_config();
  config.at_least_ms = 10 * minute;
  rules::stale_watch w{config};
  entity_id s{entity_kind::air_quality, 5};
  std::vector<rules::alert_change> out;
  std::vector<entity_id> suspects;
  // Two intervals: not learned yet, never suspected.
  auto last = report(w, s, t0, 1000, 3, out);
  w.evaluate(last + 60 * minute, suspects);
  CHECK(suspects.empty());
  // The third: learned (1 s), but silence must last 10 minutes.
  w.observe(sensor_at(s, last + 1000), out);
  w.evaluate(last + 1000 + 9 * minute, suspects);
  CHECK(suspects.empty());
  w.evaluate(last + 1000 + 10 * minute + 1, suspects);
  CHECK(suspects.size() == 1);
}

TEST_CASE("the stale watch reads only its kinds and its partition",
          "[twin][rules][watch]") {
  rules::stale_watch w{stale_config(),
                       [](entity_id id) { return id.number % 2 == 0; }};
  CHECK(w.kinds_read() == 1u << static_cast<int>(entity_kind::air_quality));
  std::vector<rules::alert_change> out;
  report(w, {entity_kind::air_quality, 1}, t0, minute, 5, out); // not mine
  report(w, {entity_kind::noise_sensor, 2}, t0, minute, 5, out);
  report(w, {entity_kind::air_quality, 2}, t0, minute, 5, out);
  CHECK(w.num_watched() == 1);
  rules::stale_watch off{rules::stale_watch_config{}};
  CHECK(off.kinds_read() == 0);
}

TEST_CASE("a reload keeps what the stale watch learned",
          "[twin][rules][watch]") {
  rules::stale_watch old{stale_config()};
  entity_id s{entity_kind::air_quality, 6};
  entity_id gone{entity_kind::air_quality, 7};
  std::vector<rules::alert_change> out;
  auto last = report(old, s, t0, minute, 5, out);
  report(old, gone, t0, minute, 5, out);
  std::vector<entity_id> suspects;
  old.evaluate(last + 4 * minute, suspects);
  old.checked(sensor_at(gone, last), last + 4 * minute, out);
  REQUIRE(out.size() == 1);
  out.clear();
  SECTION("same kinds: the next one is stale at the learned time") {
    rules::stale_watch next{stale_config()};
    next.adopt(old, last + 4 * minute, out);
    CHECK(out.empty());
    CHECK(next.num_stale() == 1);
    suspects.clear();
    next.evaluate(last + 4 * minute, suspects);
    CHECK(suspects == std::vector<entity_id>{s});
  }
  SECTION("kinds no longer watched: their alerts are cleared") {
    auto config = stale_config();
    config.kinds = {entity_kind::noise_sensor};
    rules::stale_watch next{config};
    next.adopt(old, last + 5 * minute, out);
    REQUIRE(out.size() == 1);
    CHECK_FALSE(out[0].raised);
    CHECK(out[0].anchor == gone);
    CHECK(next.num_watched() == 0);
  }
}

// -- actuators ----------------------------------------------------------------

namespace {

rules::actuator_watch_config actuator_config() {
  rules::actuator_watch_config result;
  result.enabled = true;
  result.confirm_within_ms = 2 * minute;
  return result;
}

twin::command dim_to(entity_id lamp, double level, time_ms t) {
  twin::command result;
  result.target = lamp;
  result.kind = twin::command_kind::dim;
  result.level = level;
  result.time = t;
  result.issuer = "rule:test";
  return result;
}

} // namespace

TEST_CASE("a lamp that does not confirm its command in time is an alert",
          "[twin][rules][watch]") {
  rules::actuator_watch w{actuator_config()};
  CHECK(w.kinds_read() == 1u << static_cast<int>(entity_kind::street_lamp));
  entity_id l{entity_kind::street_lamp, 1};
  auto lamp = twin::make_state(l);
  std::vector<rules::alert_change> out;
  REQUIRE(twin::execute(lamp, dim_to(l, 1.0, t0)));
  w.observe(lamp, out);
  CHECK(w.num_pending() == 1);
  w.evaluate(t0 + 2 * minute, out);
  CHECK(out.empty());
  SECTION("confirmed in time: nothing") {
    REQUIRE(twin::apply(lamp, {l, t0 + minute, 1.0, twin::quantity::dim_level}));
    w.observe(lamp, out);
    w.evaluate(t0 + 10 * minute, out);
    CHECK(out.empty());
    CHECK(w.num_pending() == 0);
  }
  SECTION("a report of another level, then silence: not responding") {
    REQUIRE(twin::apply(lamp, {l, t0 + minute, 0.4, twin::quantity::dim_level}));
    w.observe(lamp, out);
    w.evaluate(t0 + 2 * minute + 1, out);
    REQUIRE(out.size() == 1);
    CHECK(out[0].raised);
    CHECK(out[0].kind == "actuator_not_responding");
    CHECK(out[0].rule == rules::actuator_watch_name);
    CHECK(out[0].text == "lamp did not confirm dim to 1");
    CHECK(out[0].why.find("last showed 0.4") != std::string::npos);
    // Raised once.
    w.evaluate(t0 + 20 * minute, out);
    CHECK(out.size() == 1);
    // A late confirmation clears it.
    REQUIRE(twin::apply(lamp, {l, t0 + 21 * minute, 1.0,
                               twin::quantity::dim_level}));
    w.observe(lamp, out);
    REQUIRE(out.size() == 2);
    CHECK_FALSE(out[1].raised);
    CHECK(w.num_pending() == 0);
  }
  SECTION("a newer command moves the deadline") {
    REQUIRE(twin::execute(lamp, dim_to(l, 0.5, t0 + 90'000)));
    w.observe(lamp, out);
    w.evaluate(t0 + 2 * minute + 1, out);
    CHECK(out.empty());
    w.evaluate(t0 + 90'000 + 2 * minute + 1, out);
    REQUIRE(out.size() == 1);
    CHECK(out[0].text == "lamp did not confirm dim to 0.5");
  }
}

TEST_CASE("an actuator watch that is off reads nothing",
          "[twin][rules][watch]") {
  rules::actuator_watch w{rules::actuator_watch_config{}};
  CHECK(w.kinds_read() == 0);
  entity_id l{entity_kind::street_lamp, 1};
  auto lamp = twin::make_state(l);
  REQUIRE(twin::execute(lamp, dim_to(l, 1.0, t0)));
  std::vector<rules::alert_change> out;
  w.observe(lamp, out);
  w.evaluate(t0 + 60 * minute, out);
  CHECK(out.empty());
}
