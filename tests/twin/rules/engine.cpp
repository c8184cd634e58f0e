// tests/twin/rules/engine.cpp
// How the rule engine (twin/rules/engine) evaluates clauses: matching,
// thresholds, rates, the time of day and the sun, and the words it
// explains itself with. Lifecycle (for, otherwise, flapping, reloads):
// engine_lifecycle.cpp.

#include "tests/test_data.hpp"
#include "tests/twin/rules/rule_fixture.hpp"
#include "twin/solar.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace citytwin;
using twin::entity_id;
using twin::entity_kind;

namespace {

// A December Monday in the test city (UTC+1, 56.2 N).
const auto noon = test::utc_ms(2026, 12, 7, 11, 0);

std::string rule_file(std::string_view body) {
  return "version: 1\nrules:\n" + std::string{body};
}

std::vector<rules::firing> fired(const rules::outputs& out,
                                 std::string_view rule) {
  std::vector<rules::firing> result;
  for (const auto& x : out.firings)
    if (x.rule == rule)
      result.push_back(x);
  return result;
}

std::string name(entity_id id) {
  return std::string{twin::ngsi_type(id.kind)} + ":"
         + std::to_string(id.number);
}

// A rule on the flow of the approaches of intersection 4 (it has four);
// `how` gives the match and the threshold.
std::string crossing_rule(std::string id, std::string how) {
  return "  - id: " + id
         + "\n    entity: urn:ngsi-ld:Intersection:test:000004\n    when:\n"
           "      - attribute: vehicle_flow\n        of: approaching\n"
         + how + "    then:\n      - alert: busy\n";
}

struct crossing_fixture : test::rule_fixture {
  std::vector<entity_id> in;

  explicit crossing_fixture(std::string body)
      : rule_fixture(test::small_city(), rule_file(body)) {
    in = index->approaching({entity_kind::intersection, 4});
    REQUIRE(in.size() == 4);
    now = noon;
  }

  void flow(size_t j, double v) {
    set<twin::road_segment_state>(in[j], [v](auto& s) { s.flow_veh_h = v; });
  }
};

} // namespace

TEST_CASE("match any needs at_least inputs", "[twin][rules]") {
  crossing_fixture f{crossing_rule("two-busy", R"(        match: any
        at_least: 2
        above: 100
)")};
  for (size_t j = 0; j < 4; ++j)
    f.flow(j, 50);
  f.flow(0, 200);
  CHECK(f.step().empty()); // one of two
  f.flow(1, 300);
  auto out = f.step();
  REQUIRE(out.firings.size() == 1);
  CHECK(out.firings[0].then);
  CHECK(out.firings[0].why
        == name(f.in[0]) + " vehicle_flow 200 > 100, " + name(f.in[1])
               + " vehicle_flow 300 > 100");
  f.flow(0, 50);
  auto off = f.step();
  REQUIRE(off.firings.size() == 1);
  CHECK_FALSE(off.firings[0].then);
  CHECK(off.firings[0].why
        == name(f.in[1]) + " vehicle_flow 300 > 100 (1 of 2 needed)");
}

TEST_CASE("match all needs every input known and satisfying", "[twin][rules]") {
  crossing_fixture f{crossing_rule("all-busy", R"(        match: all
        above: 100
)")};
  for (size_t j = 0; j < 3; ++j)
    f.flow(j, 200);
  CHECK(f.step().empty()); // the fourth is not known yet
  f.flow(3, 50);
  CHECK(f.step().empty()); // known, but not busy
  f.flow(3, 150);
  auto out = f.step();
  REQUIRE(out.firings.size() == 1);
  CHECK_THAT(out.firings[0].why,
             Catch::StartsWith(name(f.in[0]) + " vehicle_flow 200 > 100")
                 && Catch::EndsWith(" and 1 more"));
}

TEST_CASE("match avg and sum compare the mean and the total", "[twin][rules]") {
  crossing_fixture f{
      crossing_rule("mean-busy", "        match: avg\n        above: 100\n")
      + crossing_rule("sum-busy", "        match: sum\n        above: 300\n")};
  // 4 x 90: total 360 > 300, mean 90 not > 100.
  for (size_t j = 0; j < 4; ++j)
    f.flow(j, 90);
  auto out = f.step();
  REQUIRE(out.firings.size() == 1);
  CHECK(out.firings[0].rule == "sum-busy");
  CHECK(out.firings[0].why
        == "sum of vehicle_flow over 4 RoadSegment 360 > 300");
  // 90 + 90 + 90 + 210 = 480: mean 120 > 100. The total still holds over
  // the same inputs, so it says nothing new.
  f.flow(3, 210);
  out = f.step();
  REQUIRE(out.firings.size() == 1);
  CHECK(out.firings[0].rule == "mean-busy");
  CHECK(out.firings[0].why == "mean vehicle_flow over 4 RoadSegment 120 > 100");
}

TEST_CASE("below with hysteresis holds until the value passes it",
          "[twin][rules]") {
  test::rule_fixture f{test::small_city(), rule_file(R"(  - id: slow
    entity: urn:ngsi-ld:RoadSegment:test:000005
    when:
      - attribute: mean_speed
        below: 20
        hysteresis: 5
    then:
      - alert: slow_traffic
)")};
  entity_id seg{entity_kind::road_segment, 5};
  auto speed = [&](double v) {
    f.now += 60'000;
    f.set<twin::road_segment_state>(seg, [v](auto& s) { s.speed_kmh = v; });
    return f.step();
  };
  f.now = noon;
  CHECK(speed(22).empty());
  auto slow = speed(18);
  REQUIRE(slow.alerts.size() == 1);
  CHECK(slow.alerts[0].raised);
  CHECK(slow.firings[0].why == "RoadSegment:5 mean_speed 18 < 20");
  CHECK(speed(24).empty()); // above 20 but below 20 + 5
  auto fast = speed(26);
  REQUIRE(fast.alerts.size() == 1);
  CHECK_FALSE(fast.alerts[0].raised);
  CHECK(fast.firings[0].why == "no RoadSegment mean_speed < 20 (lowest 26)");
  // No longer holding: the plain threshold applies again.
  CHECK(speed(22).empty());
}

TEST_CASE("rate_per compares the change per duration", "[twin][rules]") {
  test::rule_fixture f{test::small_city(), rule_file(R"(  - id: surge
    entity: urn:ngsi-ld:RoadSegment:test:000005
    when:
      - attribute: vehicle_flow
        rate_per: 1m
        above: 100
    then:
      - alert: rate_of_change
)")};
  entity_id seg{entity_kind::road_segment, 5};
  auto flow = [&](double v) {
    f.set<twin::road_segment_state>(seg, [v](auto& s) { s.flow_veh_h = v; });
    return f.step();
  };
  f.now = noon;
  CHECK(flow(100).empty()); // one value: no rate yet
  f.now += 60'000;
  auto out = flow(300); // +200 in a minute
  REQUIRE(out.firings.size() == 1);
  CHECK(out.firings[0].why
        == "RoadSegment:5 vehicle_flow change per 1m 200 > 100");
  REQUIRE(out.alerts.size() == 1);
  CHECK(out.alerts[0].kind == "rate_of_change");
  SECTION("a slower change stops it") {
    f.now += 10 * 60'000;
    out = flow(500); // +200 in ten minutes: 20 per minute
    REQUIRE(out.firings.size() == 1);
    CHECK_FALSE(out.firings[0].then);
    CHECK(out.firings[0].why
          == "no RoadSegment vehicle_flow change per 1m > 100 (highest 20)");
  }
  SECTION("so does no change at all") {
    f.now += 60'000;
    out = flow(300); // the same value a minute later: 0 per minute
    REQUIRE(out.firings.size() == 1);
    CHECK_FALSE(out.firings[0].then);
  }
}

TEST_CASE("time_between wraps midnight in the city's local time",
          "[twin][rules]") {
  auto yaml = rule_file(R"(  - id: night-time
    when:
      - time_between: ["22:00", "06:00"]
    then:
      - alert: night
)");
  SECTION("UTC+1") {
    test::rule_fixture f{test::small_city(), yaml};
    REQUIRE(f.city->utc_offset_min == 60);
    f.now = test::utc_ms(2026, 12, 7, 20, 59); // 21:59 local
    CHECK(f.step().empty());
    f.now = test::utc_ms(2026, 12, 7, 21, 0); // 22:00 local
    auto on = f.step();
    REQUIRE(on.firings.size() == 1);
    CHECK(on.firings[0].then);
    CHECK(on.firings[0].whole_city);
    CHECK(on.firings[0].why == "local time 22:00 within 22:00-06:00");
    f.now = test::utc_ms(2026, 12, 8, 4, 59); // 05:59 local
    CHECK(f.step().empty());
    f.now = test::utc_ms(2026, 12, 8, 5, 0); // 06:00 local
    auto off = f.step();
    REQUIRE(off.firings.size() == 1);
    CHECK_FALSE(off.firings[0].then);
    CHECK(off.firings[0].why == "local time 06:00 outside 22:00-06:00");
  }
  SECTION("UTC-5") {
    auto c = test::small_city();
    c.utc_offset_min = -300;
    test::rule_fixture f{std::move(c), yaml};
    f.now = test::utc_ms(2026, 12, 7, 23, 0); // 18:00 local
    CHECK(f.step().empty());
    f.now = test::utc_ms(2026, 12, 8, 3, 0); // 22:00 local
    REQUIRE(f.step().firings.size() == 1);
  }
}

TEST_CASE("sun clauses follow the sun at the city", "[twin][rules]") {
  test::rule_fixture f{test::small_city(), rule_file(R"(  - id: daylight
    when:
      - sun_above: 5
    then:
      - alert: day
  - id: darkness
    when:
      - sun_below: -6
    then:
      - alert: dark
)")};
  // Noon in December at 56.2 N: about 90 - 56.2 - 22.6 = 11 degrees.
  f.now = test::utc_ms(2026, 12, 7, 11, 20);
  auto high = twin::sun_elevation_deg(f.city->center, f.now);
  REQUIRE(high > 9);
  REQUIRE(high < 12);
  auto day = f.step();
  REQUIRE(fired(day, "daylight").size() == 1);
  CHECK(fired(day, "darkness").empty());
  CHECK_THAT(day.firings[0].why, Catch::StartsWith("sun elevation 1")
                                     && Catch::EndsWith(" deg > 5"));
  // Midnight: the sun is far below the horizon (about -57 degrees).
  f.now = test::utc_ms(2026, 12, 7, 23, 20);
  REQUIRE(twin::sun_elevation_deg(f.city->center, f.now) < -50);
  auto night = f.step();
  REQUIRE(fired(night, "daylight").size() == 1);
  CHECK_FALSE(fired(night, "daylight")[0].then);
  REQUIRE(fired(night, "darkness").size() == 1);
  CHECK(fired(night, "darkness")[0].then);
  CHECK_THAT(fired(night, "darkness")[0].why,
             Catch::StartsWith("sun elevation -5") && Catch::EndsWith(" < -6"));
}

TEST_CASE("explanations name inputs, and command reasons stay short",
          "[twin][rules]") {
  test::rule_fixture f{test::small_city(), rule_file(R"(  - id: everything-busy
    when:
      - attribute: vehicle_flow
        of: { all: road_segment }
        above: 10
      - attribute: mean_speed
        of: { all: road_segment }
        above: 10
      - attribute: occupancy
        of: { all: road_segment }
        above: 0.1
    then:
      - command: dim
        to: { all: street_lamp }
        level: 0.5
)")};
  f.now = noon;
  auto segments = f.index->all(entity_kind::road_segment);
  REQUIRE(segments.size() == 24);
  for (auto seg : segments)
    f.set<twin::road_segment_state>(seg, [](auto& s) {
      s.flow_veh_h = 500;
      s.speed_kmh = 40;
      s.occupancy = 0.3;
    });
  auto out = f.step();
  REQUIRE(out.firings.size() == 1);
  // Three inputs named per clause, the other 21 counted.
  const auto& why = out.firings[0].why;
  CHECK_THAT(why,
             Catch::StartsWith(name(segments[0]) + " vehicle_flow 500 > 10, "
                               + name(segments[1]) + " vehicle_flow 500"));
  CHECK_THAT(why, Catch::Contains("mean_speed 40 > 10 and 21 more; ")
                      && Catch::EndsWith("occupancy 0.3 > 0.1 and 21 more"));
  CHECK(why.size() > twin::max_reason_bytes);
  REQUIRE(out.commands.size() == 10); // every lamp
  for (const auto& cmd : out.commands) {
    CHECK(cmd.issuer == "rule:everything-busy");
    CHECK(cmd.reason.size() <= twin::max_reason_bytes);
    CHECK_THAT(cmd.reason,
               Catch::StartsWith("dim to 0.5 because " + name(segments[0]))
                   && Catch::EndsWith("..."));
  }
}

TEST_CASE("derive publishes a derived attribute while the rule is in force",
          "[twin][rules]") {
  crossing_fixture f{
    "  - id: approach-load\n"
    "    entity: urn:ngsi-ld:Intersection:test:000004\n"
    "    when:\n"
    "      - attribute: vehicle_flow\n"
    "        of: approaching\n"
    "        match: sum\n"
    "        above: 100\n"
    "    then:\n"
    "      - derive: approach_load\n"
    "        function: sum\n"
    "      - derive: busiest_approach\n"
    "        function: max\n"
    "        clause: 1\n"
    "    otherwise:\n"
    "      - derive: approach_load\n"
    "        value: 0\n"};
  auto derived = [](const rules::outputs& out, std::string_view name) {
    std::vector<rules::aggregate_value> result;
    for (const auto& x : out.aggregates)
      if (x.attribute == name)
        result.push_back(x);
    return result;
  };
  for (size_t j = 0; j < 4; ++j)
    f.flow(j, 90);
  auto out = f.step();
  auto load = derived(out, "approach_load");
  REQUIRE(load.size() == 1);
  CHECK(load[0].value == 360);
  CHECK(load[0].count == 4);
  CHECK(load[0].function == "sum");
  CHECK(load[0].aggregate == "approach-load");
  CHECK(load[0].group == "Intersection-4");
  CHECK(load[0].derived);
  CHECK(load[0].subject == entity_id{entity_kind::intersection, 4});
  CHECK(load[0].window_end == noon);
  auto busiest = derived(out, "busiest_approach");
  REQUIRE(busiest.size() == 1);
  CHECK(busiest[0].value == 90);
  // In force, the values follow their inputs.
  f.now += 60'000;
  f.flow(3, 210);
  out = f.step();
  REQUIRE(derived(out, "approach_load").size() == 1);
  CHECK(derived(out, "approach_load")[0].value == 480);
  CHECK(derived(out, "busiest_approach")[0].value == 210);
  CHECK(derived(out, "approach_load")[0].window_end == noon + 60'000);
  // A change that moves neither value publishes nothing.
  f.now += 60'000;
  f.flow(0, 80);
  f.flow(1, 100);
  out = f.step();
  CHECK(derived(out, "approach_load").empty());
  CHECK(derived(out, "busiest_approach").empty());
  // The condition stops holding: `otherwise` publishes its constant.
  f.now += 60'000;
  for (size_t j = 0; j < 4; ++j)
    f.flow(j, 10);
  out = f.step();
  load = derived(out, "approach_load");
  REQUIRE(load.size() == 1);
  CHECK(load[0].value == 0);
  CHECK(load[0].function == "value");
  CHECK(derived(out, "busiest_approach").empty());
}
