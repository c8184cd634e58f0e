// tests/twin/rules/binding.cpp
// Binding rule files to a city (twin/rules/bound_rules): what only the
// city can tell is reported with file:line, and a good file expands into
// one instance per anchor.

#include "tests/test_data.hpp"
#include "tests/twin/rules/rule_fixture.hpp"
#include "twin/rules/city_index.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <string>

using namespace citytwin;
using twin::entity_kind;

namespace {

// The small test city (tests/test_data.hpp, seed 7) has 9 intersections:
// 0, 1, 3, 4 and 5 unsignalised, 2, 6 and 7 with 2 phases, 8 with 4.
std::string bind_error(std::string_view yaml) {
  return test::rule_fixture::bind_error(test::small_city(), yaml);
}

} // namespace

TEST_CASE("binding reports an entity the city lacks, with its line",
          "[twin][rules]") {
  SECTION("as the rule's anchor") {
    auto err = bind_error(R"(version: 1
rules:
  - id: ghost-lamp
    entity: urn:ngsi-ld:StreetLight:test:999999
    when:
      - attribute: dim_level
        above: 0.5
    then:
      - alert: threshold
)");
    CHECK_THAT(err,
               Catch::StartsWith("invalid_config")
                   && Catch::Contains("1 problem(s) in test.yaml")
                   && Catch::Contains("test.yaml:3: rule 'ghost-lamp': the "
                                      "city has no entity "
                                      "urn:ngsi-ld:StreetLight:test:999999"));
  }
  SECTION("in a clause's selector, at the selector's line") {
    auto err = bind_error(R"(version: 1
rules:
  - id: ghost-bin
    when:
      - attribute: fill_level
        of: urn:ngsi-ld:WasteContainer:test:000077
        above: 0.5
    then:
      - alert: threshold
)");
    CHECK_THAT(err, Catch::Contains("test.yaml:6: rule 'ghost-bin': the city "
                                    "has no entity "
                                    "urn:ngsi-ld:WasteContainer:test:000077"));
  }
}

TEST_CASE("a command to something that is not an actuator is refused",
          "[twin][rules]") {
  // The parser already knows the kind `to` selects, so these never reach
  // binding: its message is what the author sees.
  auto yaml = [](std::string kind, std::string attribute, std::string act) {
    return "version: 1\nrules:\n  - id: wrong\n    for_each: " + kind
           + "\n    when:\n      - attribute: " + attribute
           + "\n        above: 0\n    then:\n" + act; // `to` on line 10
  };
  CHECK_THAT(bind_error(yaml("road_segment", "vehicle_flow",
                             "      - command: dim\n"
                             "        to: self\n"
                             "        level: 0.5\n")),
             Catch::Contains("test.yaml:10: rule 'wrong' then action 1: "
                             "action on a non-actuator: road_segment takes "
                             "no dim command"));
  CHECK_THAT(bind_error(yaml("intersection", "signal_phase",
                             "      - command: signal_mode\n"
                             "        to: { kind: waste_bin, within_m: 100 }\n"
                             "        mode: all_red\n")),
             Catch::Contains("test.yaml:10: rule 'wrong' then action 1: "
                             "action on a non-actuator: waste_bin takes no "
                             "signal_mode command"));
}

TEST_CASE("signal commands to unsignalised intersections need "
          "signalised_only",
          "[twin][rules]") {
  auto yaml = [](std::string anchor) {
    return R"(version: 1
rules:
  - id: all-red
)" + anchor + R"(    when:
      - attribute: vehicle_flow
        of: approaching
        above: 900
    then:
      - command: signal_mode
        to: self
        mode: all_red
)";
  };
  // Intersection 0 is the first unsignalised one.
  auto every = "    for_each: intersection\n";
  CHECK_THAT(bind_error(yaml(every)),
             Catch::Contains("test.yaml:10: rule 'all-red': sends signal_mode "
                             "commands to unsignalised intersections (e.g. "
                             "Intersection:0); add 'signalised_only: true'"));
  CHECK(bind_error(yaml(every + std::string{"    signalised_only: true\n"}))
            .empty());
  // One named unsignalised intersection is as wrong as all of them (and
  // signalised_only is not for `entity:` rules).
  auto err
      = bind_error(yaml("    entity: urn:ngsi-ld:Intersection:test:000000\n"));
  CHECK_THAT(err, Catch::EndsWith("\ntest.yaml:10: rule 'all-red': sends "
                                  "signal_mode commands to unsignalised "
                                  "intersections (e.g. Intersection:0)"));
  CHECK(bind_error(yaml("    entity: urn:ngsi-ld:Intersection:test:000002\n"))
            .empty());
}

TEST_CASE("rules whose commands change each other's inputs are refused",
          "[twin][rules]") {
  SECTION("two rules") {
    // Green times are no attribute a rule may read (data/rules/README.md
    // lists the intersection's); the parser says so.
    CHECK_THAT(bind_error(R"(version: 1
rules:
  - id: lamps-follow-plans
    for_each: intersection
    signalised_only: true
    when:
      - attribute: green_time_0
        above: 40
    then:
      - command: dim
        to: { kind: street_lamp, along: approaching }
        level: 1.0
)"),
               Catch::Contains("test.yaml:7:")
                   && Catch::Contains("intersection has no attribute "
                                      "'green_time_0'"));
    // `commands` is one a signal plan changes: plans-follow-lamps changes
    // what lamps-follow-plans reads and the other way round.
    auto err = bind_error(R"(version: 1
rules:
  - id: plans-follow-lamps
    for_each: intersection
    signalised_only: true
    when:
      - attribute: dim_level
        of: { kind: street_lamp, along: approaching }
        above: 0.9
    then:
      - command: signal_plan
        to: self
        plan: equal
        green_s: [40]
  - id: lamps-follow-plans
    for_each: intersection
    signalised_only: true
    when:
      - attribute: commands
        above: 3
    then:
      - command: dim
        to: { kind: street_lamp, along: approaching }
        level: 1.0
)");
    CHECK_THAT(err, Catch::Contains("1 problem(s)")
                        && Catch::Contains("test.yaml:3: rules would trigger "
                                           "each other forever: "
                                           "'plans-follow-lamps' -> "
                                           "'lamps-follow-plans' -> "
                                           "'plans-follow-lamps'"));
  }
  SECTION("one rule triggering itself") {
    auto err = bind_error(R"(version: 1
rules:
  - id: lamps-chase-lamps
    for_each: street_lamp
    when:
      - attribute: dim_level
        below: 0.5
    then:
      - command: dim
        to: self
        level: 1.0
)");
    CHECK_THAT(err, Catch::Contains("test.yaml:3: rules would trigger each "
                                    "other forever: 'lamps-chase-lamps' -> "
                                    "'lamps-chase-lamps'"));
  }
}

TEST_CASE("a fixed plan must give every phase of its intersections",
          "[twin][rules]") {
  auto yaml = [](std::string anchor, std::string green) {
    return R"(version: 1
rules:
  - id: long-green
)" + anchor + R"(
    when:
      - attribute: vehicle_flow
        of: approaching
        above: 500
    then:
      - command: signal_plan
        to: self
        green_s: )"
           + green + "\n";
  };
  // Intersection 2 has 2 phases.
  auto one = "    entity: urn:ngsi-ld:Intersection:test:000002";
  CHECK_THAT(bind_error(yaml(one, "[30, 30, 30]")),
             Catch::Contains("test.yaml:10: rule 'long-green': the plan gives "
                             "3 phases; the intersections have 2"));
  CHECK(bind_error(yaml(one, "[30, 30]")).empty());
  // 2 and 4 phases among the signalised ones: no count fits all, so
  // binding cannot judge (the lights refuse a plan that does not fit).
  auto all = "    for_each: intersection\n    signalised_only: true";
  CHECK(bind_error(yaml(all, "[30, 30, 30]")).empty());
}

TEST_CASE("binding reports every problem of a file at once", "[twin][rules]") {
  auto err = bind_error(R"(version: 1
rules:
  - id: ghost
    entity: urn:ngsi-ld:StreetLight:test:999999
    when:
      - attribute: dim_level
        above: 0.5
    then:
      - alert: threshold
  - id: unsignalised
    for_each: intersection
    when:
      - attribute: signal_phase
        above: 0
    then:
      - command: signal_mode
        to: self
        mode: flashing
  - id: self-cycle
    for_each: street_lamp
    when:
      - attribute: power
        above: 10
    then:
      - command: dim
        to: self
        level: 0.2
)");
  CHECK_THAT(
      err, Catch::Contains("3 problem(s) in test.yaml")
               && Catch::Contains("test.yaml:3: rule 'ghost': the city has no "
                                  "entity")
               && Catch::Contains("test.yaml:16: rule 'unsignalised': sends "
                                  "signal_mode commands to unsignalised")
               && Catch::Contains("test.yaml:19: rules would trigger each "
                                  "other forever: 'self-cycle' -> "
                                  "'self-cycle'"));
}

TEST_CASE("a good file binds one instance per anchor", "[twin][rules]") {
  test::rule_fixture f{test::small_city(), R"(version: 1
rules:
  - id: per-lamp
    for_each: street_lamp
    when:
      - attribute: lamp_fault
        above: 0.5
    then:
      - alert: lamp_fault
  - id: per-signal
    for_each: intersection
    signalised_only: true
    when:
      - attribute: vehicle_flow
        of: approaching
        above: 900
    then:
      - command: signal_mode
        to: self
        mode: flashing
  - id: per-city
    when:
      - attribute: fill_level
        of: { all: waste_bin }
        above: 0.9
    then:
      - recommend: collection_route
  - id: one-bin
    entity: urn:ngsi-ld:WasteContainer:test:000003
    when:
      - attribute: fill_level
        above: 0.9
    then:
      - alert: threshold
  - id: switched-off
    enabled: false
    for_each: road_segment
    when:
      - attribute: vehicle_flow
        above: 1
    then:
      - alert: threshold
)"};
  size_t signalised = 0;
  for (auto id : f.index->all(entity_kind::intersection))
    signalised += f.index->num_phases(id) > 0 ? 1 : 0;
  REQUIRE(signalised == 4); // intersections 2, 6, 7 and 8
  std::map<std::string, size_t> per_rule;
  for (const auto& x : f.bound->instances)
    ++per_rule[f.bound->rule_of(x).id];
  CHECK(per_rule["per-lamp"] == f.index->all(entity_kind::street_lamp).size());
  CHECK(per_rule["per-lamp"] == 10);
  CHECK(per_rule["per-signal"] == signalised);
  CHECK(per_rule["per-city"] == 1);
  CHECK(per_rule["one-bin"] == 1);
  // A disabled rule is checked but not bound.
  CHECK(per_rule.count("switched-off") == 0);
  CHECK(f.bound->instances.size() == 10 + 4 + 1 + 1);
  for (const auto& x : f.bound->instances) {
    const auto& id = f.bound->rule_of(x).id;
    if (id == "per-signal")
      CHECK(f.index->num_phases(x.anchor) > 0);
    if (id == "per-city") {
      CHECK(x.whole_city);
      // Reads every bin of the city.
      CHECK(x.inputs.size() == 5);
    }
    if (id == "one-bin")
      CHECK(x.anchor == twin::entity_id{entity_kind::waste_bin, 3});
  }
  // Only the kinds some instance reads.
  auto bit = [](entity_kind k) { return uint32_t{1} << static_cast<int>(k); };
  CHECK(f.bound->kinds_read
        == (bit(entity_kind::street_lamp) | bit(entity_kind::road_segment)
            | bit(entity_kind::waste_bin)));
}
