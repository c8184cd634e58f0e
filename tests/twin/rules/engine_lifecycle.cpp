// tests/twin/rules/engine_lifecycle.cpp
// What the rule engine (twin/rules/engine) does over simulated time: `for`,
// `otherwise`, clearing alerts and withdrawing advice, the flapping limit,
// reloads (`adopt`), unknown inputs and stopped rules.

#include "tests/test_data.hpp"
#include "tests/twin/rules/rule_fixture.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace citytwin;
using twin::entity_id;
using twin::entity_kind;

namespace {

const auto noon = test::utc_ms(2026, 12, 7, 11, 0);
constexpr twin::time_ms minute = 60'000;

std::string rule_file(std::string_view body) {
  return "version: 1\nrules:\n" + std::string{body};
}

// Segment 4 of the small city has lamp 2 beside it.
const entity_id seg4{entity_kind::road_segment, 4};
const entity_id lamp2{entity_kind::street_lamp, 2};

const char* jam_rule = R"(  - id: jam
    entity: urn:ngsi-ld:RoadSegment:test:000004
    when:
      - attribute: occupancy
        above: 0.5
    for: 5m
    then:
      - command: dim
        to: { kind: street_lamp, along: self }
        level: 1.0
    otherwise:
      - command: dim
        to: { kind: street_lamp, along: self }
        level: 0.3
)";

void occupancy(test::rule_fixture& f, entity_id seg, double v) {
  f.set<twin::road_segment_state>(seg, [v](auto& s) { s.occupancy = v; });
}

} // namespace

TEST_CASE("'for' waits in simulated time and restarts when broken",
          "[twin][rules]") {
  test::rule_fixture f{test::small_city(), rule_file(jam_rule)};
  REQUIRE(f.index->along(seg4, entity_kind::street_lamp)
          == std::vector<entity_id>{lamp2});
  auto t0 = noon;
  f.now = t0;
  occupancy(f, seg4, 0.8);
  CHECK(f.step().empty());
  SECTION("it fires after five minutes, with no new reading") {
    f.now = t0 + 5 * minute - 1;
    CHECK(f.step().empty());
    f.now = t0 + 5 * minute;
    auto out = f.step();
    REQUIRE(out.commands.size() == 1);
    CHECK(out.commands[0].target == lamp2);
    CHECK(out.commands[0].level == 1.0);
    REQUIRE(out.firings.size() == 1);
    CHECK(out.firings[0].why == "RoadSegment:4 occupancy 0.8 > 0.5; for 5m");
    SECTION("otherwise runs when it stops holding") {
      f.now += minute;
      occupancy(f, seg4, 0.2);
      auto off = f.step();
      REQUIRE(off.commands.size() == 1);
      CHECK(off.commands[0].target == lamp2);
      CHECK(off.commands[0].level == Approx(0.3));
      CHECK_THAT(off.commands[0].reason,
                 Catch::StartsWith("dim to 0.3 because no longer: no "
                                   "RoadSegment occupancy > 0.5"));
      REQUIRE(off.firings.size() == 1);
      CHECK_FALSE(off.firings[0].then);
    }
  }
  SECTION("a break restarts the wait, and otherwise does not run") {
    f.now = t0 + 3 * minute;
    occupancy(f, seg4, 0.2);
    CHECK(f.step().empty()); // `then` never ran: nothing to undo
    f.now = t0 + 4 * minute;
    occupancy(f, seg4, 0.8);
    CHECK(f.step().empty());
    f.now = t0 + 5 * minute; // 5 min after the first reading, 1 after the last
    CHECK(f.step().empty());
    f.now = t0 + 9 * minute - 1;
    CHECK(f.step().empty());
    f.now = t0 + 9 * minute;
    CHECK(f.step().commands.size() == 1);
  }
}

TEST_CASE("a falling edge clears alerts and withdraws advice",
          "[twin][rules]") {
  test::rule_fixture f{test::small_city(), rule_file(R"(  - id: loud
    for_each: noise_sensor
    when:
      - attribute: noise_level
        above: 80
    then:
      - alert: noise
        severity: critical
        text: Too loud
      - recommend: notice
        audience: public
        text: Keep windows closed
)")};
  auto meter = f.index->all(entity_kind::noise_sensor).front();
  auto level = [&](double v) {
    f.now += minute;
    f.set<twin::noise_sensor_state>(meter, [v](auto& s) { s.level_dba = v; });
    return f.step();
  };
  f.now = noon;
  auto on = level(85);
  REQUIRE(on.alerts.size() == 1);
  CHECK(on.alerts[0].raised);
  CHECK(on.alerts[0].kind == "noise");
  CHECK(on.alerts[0].anchor == meter);
  CHECK(on.alerts[0].level == rules::severity::critical);
  REQUIRE(on.advice.size() == 1);
  CHECK(on.advice[0].issued);
  CHECK(on.advice[0].audience == "public");
  CHECK(on.advice[0].text == "Keep windows closed");
  auto off = level(60);
  REQUIRE(off.alerts.size() == 1);
  CHECK_FALSE(off.alerts[0].raised);
  CHECK(off.alerts[0].kind == "noise");
  CHECK(off.alerts[0].anchor == meter);
  REQUIRE(off.advice.size() == 1);
  CHECK_FALSE(off.advice[0].issued);
  CHECK(off.advice[0].what == rules::recommendation::notice);
  // Quiet stays quiet: nothing more to clear.
  CHECK(level(50).empty());
}

TEST_CASE("a flapping rule is disabled and reported", "[twin][rules]") {
  rules::engine_limits limits;
  limits.max_transitions_per_minute = 3;
  test::rule_fixture f{test::small_city(), rule_file(R"(  - id: flappy
    entity: urn:ngsi-ld:RoadSegment:test:000004
    when:
      - attribute: occupancy
        above: 0.5
    then:
      - alert: threshold
)"),
                       limits};
  f.now = noon;
  auto set = [&](double v) {
    f.now += 1000;
    occupancy(f, seg4, v);
    return f.step();
  };
  // Three transitions within a minute are allowed.
  CHECK(set(0.8).alerts.size() == 1);
  CHECK(set(0.2).alerts.size() == 1);
  CHECK(set(0.8).alerts.size() == 1);
  auto fourth = set(0.2);
  REQUIRE(fourth.disabled.size() == 1);
  CHECK(fourth.disabled[0].rule == "flappy");
  CHECK_THAT(fourth.disabled[0].why,
             Catch::Contains("RoadSegment:4 changed more than 3 times"));
  REQUIRE(fourth.alerts.size() == 1);
  CHECK(fourth.alerts[0].kind == "rule_disabled");
  CHECK(fourth.alerts[0].raised);
  CHECK(fourth.alerts[0].level == rules::severity::critical);
  CHECK(fourth.firings.empty());
  CHECK(f.engine->status()[0].disabled);
  // Disabled: nothing more, not even a minute later.
  f.now += minute;
  CHECK(set(0.8).empty());
  CHECK(set(0.2).empty());
}

TEST_CASE("a reloaded engine adopts fired state and values", "[twin][rules]") {
  auto yaml = rule_file(std::string{jam_rule} + R"(  - id: both-busy
    when:
      - attribute: vehicle_flow
        of: urn:ngsi-ld:RoadSegment:test:000004
        above: 100
      - attribute: vehicle_flow
        of: urn:ngsi-ld:RoadSegment:test:000006
        above: 100
    then:
      - alert: busy
)");
  test::rule_fixture before{test::small_city(), yaml};
  test::rule_fixture after{test::small_city(), yaml};
  before.now = noon;
  auto flow = [](test::rule_fixture& f, uint32_t seg, double v) {
    f.set<twin::road_segment_state>({entity_kind::road_segment, seg},
                                    [v](auto& s) { s.flow_veh_h = v; });
  };
  SECTION("`then` does not run again, `otherwise` still does") {
    occupancy(before, seg4, 0.8);
    before.step();
    before.now += 5 * minute;
    REQUIRE(before.step().commands.size() == 1);
    after.engine->adopt(*before.engine);
    CHECK(after.engine->now() == before.now);
    after.now = before.now + minute;
    CHECK(after.step().empty());
    CHECK(after.engine->status()[0].fired == 1);
    after.now += minute;
    occupancy(after, seg4, 0.2);
    auto off = after.step();
    REQUIRE(off.commands.size() == 1);
    CHECK(off.commands[0].level == Approx(0.3));
  }
  SECTION("a value seen only before the reload still counts") {
    flow(before, 4, 200);
    CHECK(before.step().empty()); // segment 6 unknown
    after.engine->adopt(*before.engine);
    after.now = before.now + minute;
    flow(after, 6, 300);
    auto out = after.step();
    REQUIRE(out.alerts.size() == 1);
    CHECK(out.alerts[0].rule == "both-busy");
    CHECK_THAT(out.firings[0].why,
               Catch::Contains("RoadSegment:4 vehicle_flow 200 > 100")
                   && Catch::Contains("RoadSegment:6 vehicle_flow 300 > 100"));
  }
}

TEST_CASE("unknown_inputs lists inputs not yet observed", "[twin][rules]") {
  test::rule_fixture f{test::small_city(), rule_file(R"(  - id: crossing
    entity: urn:ngsi-ld:Intersection:test:000004
    when:
      - attribute: vehicle_flow
        of: approaching
        above: 100
    then:
      - alert: busy
  - id: also-reads-one
    entity: urn:ngsi-ld:RoadSegment:test:000005
    when:
      - attribute: mean_speed
        below: 10
    then:
      - alert: slow
)")};
  auto in = f.index->approaching({entity_kind::intersection, 4});
  REQUIRE(in.size() == 4);
  auto expected = in;
  expected.push_back({entity_kind::road_segment, 5});
  std::sort(expected.begin(), expected.end());
  expected.erase(std::unique(expected.begin(), expected.end()), expected.end());
  CHECK(f.engine->unknown_inputs() == expected);
  f.now = noon;
  f.set<twin::road_segment_state>(in[0], [](auto& s) { s.flow_veh_h = 10; });
  auto left = f.engine->unknown_inputs();
  CHECK(left.size() == expected.size() - 1);
  CHECK(std::find(left.begin(), left.end(), in[0]) == left.end());
  // Something no rule reads changes nothing.
  f.set<twin::street_lamp_state>(lamp2, [](auto& s) { s.dim_level = 1; });
  CHECK(f.engine->unknown_inputs() == left);
}

TEST_CASE("stop_rule stops one rule and leaves the others", "[twin][rules]") {
  test::rule_fixture f{test::small_city(), rule_file(R"(  - id: stopped
    entity: urn:ngsi-ld:RoadSegment:test:000004
    when:
      - attribute: occupancy
        above: 0.5
    then:
      - alert: threshold
  - id: running
    entity: urn:ngsi-ld:RoadSegment:test:000004
    when:
      - attribute: occupancy
        above: 0.6
    then:
      - alert: threshold
)")};
  f.engine->stop_rule("stopped", "flapping in partition 2");
  auto status = f.engine->status();
  REQUIRE(status.size() == 2);
  CHECK(status[0].disabled);
  CHECK(status[0].disabled_why == "flapping in partition 2");
  CHECK_FALSE(status[1].disabled);
  f.now = noon;
  occupancy(f, seg4, 0.9);
  auto out = f.step();
  REQUIRE(out.firings.size() == 1);
  CHECK(out.firings[0].rule == "running");
  CHECK(out.disabled.empty()); // the partition that found it reported it
}
