// tests/twin/command.cpp: commands to street lamps and traffic lights.
#include "twin/command.hpp"

#include "twin/error.hpp"

#include <catch2/catch.hpp>

#include <limits>

using namespace citytwin::twin;

namespace {

constexpr time_ms t0 = 1'700'000'000'000;

command dim(entity_id lamp, double level) {
  command result;
  result.target = lamp;
  result.kind = command_kind::dim;
  result.level = level;
  result.time = t0;
  result.issuer = "operator:test";
  return result;
}

command plan(entity_id light, std::initializer_list<uint16_t> greens) {
  command result;
  result.target = light;
  result.kind = command_kind::signal_plan;
  for (auto g : greens)
    result.green_s.at(result.num_phases++) = g;
  result.time = t0;
  return result;
}

command mode(entity_id light, signal_mode m) {
  command result;
  result.target = light;
  result.kind = command_kind::signal_mode;
  result.mode = m;
  result.time = t0;
  return result;
}

errc refusal(entity_state& st, const command& x) {
  auto result = execute(st, x);
  REQUIRE_FALSE(result);
  return static_cast<errc>(result.error().code());
}

entity_state light_with_phases(uint8_t n) {
  auto st = make_state({entity_kind::intersection, 7});
  st.as<intersection_state>().num_phases = n;
  return st;
}

} // namespace

TEST_CASE("a lamp follows a dim command and counts it", "[twin][command]") {
  auto st = make_state({entity_kind::street_lamp, 3});
  st.as<street_lamp_state>().rated_power_w = 80;
  st.updated = t0 - 5000;
  auto changed = execute(st, dim(st.id, 0.75));
  REQUIRE(changed);
  CHECK((*changed & bit(quantity::dim_level)) != 0);
  CHECK((*changed & actuation_bit) != 0);
  const auto& lamp = st.as<street_lamp_state>();
  CHECK(lamp.dim_level == 0.75);
  CHECK(lamp.on);
  CHECK(lamp.power_w == 60);
  CHECK(lamp.switch_count == 1);
  CHECK(lamp.commands == 1);
  CHECK(lamp.last_command == t0);
  // A command is not a reading: the time of the newest reading stays, so
  // replayed readings from the past are not made stale by it.
  CHECK(st.updated == t0 - 5000);
  CHECK(st.num_applied == 0);
  // Repeating the setting still counts as an honoured command.
  REQUIRE(execute(st, dim(st.id, 0.75)));
  CHECK(st.as<street_lamp_state>().commands == 2);
  REQUIRE(execute(st, dim(st.id, 0)));
  CHECK_FALSE(st.as<street_lamp_state>().on);
  CHECK(st.as<street_lamp_state>().power_w == 0);
}

TEST_CASE("a lamp refuses what it cannot honour, unchanged",
          "[twin][command]") {
  auto st = make_state({entity_kind::street_lamp, 3});
  REQUIRE(execute(st, dim(st.id, 0.5)));
  auto before = st.as<street_lamp_state>();
  CHECK(refusal(st, dim(st.id, 1.2)) == errc::out_of_range);
  CHECK(refusal(st, dim(st.id, -0.1)) == errc::out_of_range);
  CHECK(refusal(st, dim(st.id, std::numeric_limits<double>::quiet_NaN()))
        == errc::not_finite);
  st.as<street_lamp_state>().fault = true;
  before.fault = true;
  auto refused = execute(st, dim(st.id, 1));
  REQUIRE_FALSE(refused);
  CHECK(static_cast<errc>(refused.error().code()) == errc::actuator_fault);
  CHECK_THAT(describe(refused.error()),
             Catch::Contains("street_lamp 3: dim to 1 refused: the lamp "
                             "reports a fault"));
  const auto& lamp = st.as<street_lamp_state>();
  CHECK(lamp.dim_level == before.dim_level);
  CHECK(lamp.commands == before.commands);
}

TEST_CASE("only actuators take commands, and only their own",
          "[twin][command]") {
  auto bin = make_state({entity_kind::waste_bin, 1});
  auto x = dim({entity_kind::waste_bin, 1}, 0.5);
  auto refused = execute(bin, x);
  REQUIRE_FALSE(refused);
  CHECK(static_cast<errc>(refused.error().code()) == errc::not_an_actuator);
  auto light = light_with_phases(2);
  REQUIRE_FALSE(execute(light, dim(light.id, 0.5)));
  auto lamp = make_state({entity_kind::street_lamp, 1});
  auto wrong = execute(lamp, mode(lamp.id, signal_mode::flashing));
  REQUIRE_FALSE(wrong);
  CHECK(static_cast<errc>(wrong.error().code()) == errc::not_an_actuator);
  // A command delivered to the wrong entity is refused, not applied.
  auto other = execute(lamp, dim({entity_kind::street_lamp, 2}, 0.5));
  REQUIRE_FALSE(other);
  CHECK(lamp.as<street_lamp_state>().commands == 0);
  CHECK(is_actuator(entity_kind::street_lamp));
  CHECK(is_actuator(entity_kind::intersection));
  CHECK_FALSE(is_actuator(entity_kind::parking_sensor));
}

TEST_CASE("a traffic light takes a plan with its own number of phases",
          "[twin][command]") {
  auto st = light_with_phases(3);
  auto changed = execute(st, plan(st.id, {30, 20, 25}));
  REQUIRE(changed);
  CHECK(*changed == actuation_bit);
  const auto& light = st.as<intersection_state>();
  CHECK(light.green_s[0] == 30);
  CHECK(light.green_s[1] == 20);
  CHECK(light.green_s[2] == 25);
  CHECK(light.commands == 1);
  // Shown as attributes, one green time per phase.
  double green_1 = -1;
  for (const auto& a : attributes(st))
    if (a.name == "green_time_1")
      green_1 = a.value;
  CHECK(green_1 == 20);
  auto refused = execute(st, plan(st.id, {30, 20}));
  REQUIRE_FALSE(refused);
  CHECK(static_cast<errc>(refused.error().code()) == errc::actuator_fault);
  CHECK_THAT(describe(refused.error()),
             Catch::Contains("the light has 3 phases, the plan 2"));
  CHECK(light.green_s[2] == 25); // unchanged
  CHECK(!execute(st, plan(st.id, {30, 4, 25})));   // below 5 s
  CHECK(!execute(st, plan(st.id, {30, 181, 25}))); // above 180 s
  auto unsignalised = light_with_phases(0);
  auto none = execute(unsignalised, mode(unsignalised.id, signal_mode::all_red));
  REQUIRE_FALSE(none);
  CHECK(static_cast<errc>(none.error().code()) == errc::actuator_fault);
  auto big = light_with_phases(12);
  REQUIRE_FALSE(execute(big, plan(big.id, {30, 30})));
}

TEST_CASE("a traffic light switches modes", "[twin][command]") {
  auto st = light_with_phases(2);
  REQUIRE(execute(st, mode(st.id, signal_mode::flashing)));
  CHECK(st.as<intersection_state>().mode == signal_mode::flashing);
  REQUIRE(execute(st, mode(st.id, signal_mode::all_red)));
  CHECK(st.as<intersection_state>().mode == signal_mode::all_red);
  auto bad = mode(st.id, static_cast<signal_mode>(9));
  CHECK_FALSE(execute(st, bad));
  CHECK(st.as<intersection_state>().mode == signal_mode::all_red);
}

TEST_CASE("command kinds and signal modes have names", "[twin][command]") {
  for (auto k : {command_kind::dim, command_kind::signal_plan,
                 command_kind::signal_mode})
    CHECK(parse_command_kind(to_string(k)) == k);
  CHECK_FALSE(parse_command_kind("explode"));
  CHECK(parse_signal_mode("allRed") == signal_mode::all_red);
  CHECK(parse_signal_mode("all_red") == signal_mode::all_red);
  CHECK_FALSE(parse_signal_mode("disco"));
  CHECK(describe(plan({entity_kind::intersection, 1}, {30, 20}))
        == "signal plan 30/20 s");
}

TEST_CASE("a lamp's report of the commanded level confirms the command",
          "[twin][command]") {
  auto st = make_state({entity_kind::street_lamp, 3});
  auto& lamp = st.as<street_lamp_state>();
  REQUIRE(execute(st, dim(st.id, 0.8)));
  CHECK(lamp.command_pending);
  CHECK(lamp.commanded_level == 0.8);
  SECTION("a report of another level leaves the command pending") {
    auto changed = apply(st, {st.id, t0 + 1000, 0.3, quantity::dim_level});
    REQUIRE(changed);
    CHECK(*changed != 0);
    CHECK(lamp.dim_level == 0.3); // the twin shows what the lamp reports
    CHECK(lamp.command_pending);
  }
  SECTION("a report of the same level is news: it confirms") {
    // The twin already shows 0.8; the report still changes the state.
    auto changed = apply(st, {st.id, t0 + 1000, 0.8, quantity::dim_level});
    REQUIRE(changed);
    CHECK(*changed != 0);
    CHECK_FALSE(lamp.command_pending);
    // Repeating it afterwards is no news.
    auto again = apply(st, {st.id, t0 + 2000, 0.8, quantity::dim_level});
    REQUIRE(again);
    CHECK(*again == 0);
  }
  SECTION("within the tolerance of a lamp driver") {
    REQUIRE(apply(st, {st.id, t0 + 1000, 0.803, quantity::dim_level}));
    CHECK_FALSE(lamp.command_pending);
  }
}
