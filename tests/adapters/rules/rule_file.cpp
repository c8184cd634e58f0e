// tests/adapters/rules/rule_file.cpp: reading a tenant's rule file.
#include "adapters/rules/rule_file.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

using namespace citytwin;
using namespace citytwin::rules;
using Catch::Contains;
using Catch::StartsWith;
using twin::entity_kind;

namespace {

// The city every URN below names.
constexpr std::string_view city = "demo";

// The rendered error of parsing `yaml` as "t.yaml"; empty when it loads.
std::string problems(const std::string& yaml) {
  auto result = parse_rule_file(yaml, "t.yaml", city);
  if (result)
    return {};
  CHECK(static_cast<twin::errc>(result.error().code())
        == twin::errc::invalid_config);
  return twin::describe(result.error());
}

// A file with one rule `r`; `body` (indented four spaces) starts on line 4.
std::string one_rule(const std::string& body) {
  return "version: 1\n" // 1
         "rules:\n"     // 2
         "  - id: r\n"  // 3
         + body;        // 4...
}

// A rule body whose clause is `clause` (line 6 on) and whose only action
// is `action` (after it), for rules that run for every `for_each`.
std::string clause_and_action(const std::string& for_each,
                              const std::string& clause,
                              const std::string& action) {
  return one_rule("    for_each: " + for_each + "\n" // 4
                  + "    when:\n"                    // 5
                  + clause                           // 6...
                  + "    then:\n" + action);
}

const std::string any_alert = "      - alert: threshold\n";

// A file on disk, removed when the test ends.
struct temp_file {
  std::string path;
  explicit temp_file(const std::string& name, const std::string& text)
      : path((std::filesystem::temp_directory_path() / name).string()) {
    std::ofstream out{path, std::ios::binary};
    out << text;
  }
  ~temp_file() {
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
  }
};

// Every form the format has, once; the comments number the lines.
const std::string full_file = R"(version: 1
rules:
  - id: night-lights-follow-traffic
    description: Lamps along busy approaches go to full at night
    for_each: intersection
    signalised_only: true
    when:
      - sun_below: -0.833
        hysteresis: 0.5
      - time_between: ["22:00", "06:00"]
      - attribute: vehicle_flow
        of: approaching
        match: any
        at_least: 2
        above: 600
        hysteresis: 100
    for: 5m
    then:
      - command: dim
        to: { kind: street_lamp, along: matched, clause: 3 }
        level: 1.0
      - command: signal_plan
        to: self
        plan: favour
        green_s: [45, 20]
    otherwise:
      - command: signal_mode
        to: self
        mode: normal
  - id: pm25-high
    entity: urn:ngsi-ld:AirQualitySensor:demo:000007
    enabled: false
    when:
      - attribute: pm25
        above: 50
        rate_per: 1h
    then:
      - alert: rate_of_change
        severity: critical
        text: PM2.5 rising fast
  - id: car-parks-full
    for_each: parking_sensor
    when:
      - attribute: free_spaces
        of: { kind: parking_sensor, within_m: 500 }
        match: sum
        below: 10
    then:
      - recommend: guide_to_nearest_free
        audience: public
        severity: info
        candidates: { kind: parking_sensor, nearest: 5 }
        candidate_above: 2
        text: Try the next car park
  - id: bins
    when:
      - attribute: fill_level
        of: { all: waste_bin }
        match: avg
        above: 0.8
      - attribute: vehicle_flow
        of: urn:ngsi-ld:RoadSegment:demo:000003
        below: 100
    then:
      - recommend: collection_route
      - recommend: divert_heavy_traffic
        candidates: { matched: 2 }
  - id: lamp_by_busy_road
    for_each: street_lamp
    when:
      - attribute: vehicle_flow
        of: segment
        match: all
        above: 1
    then:
      - command: dim
        to: self
        level: 0.5
      - command: signal_mode
        to: { entity: urn:ngsi-ld:Intersection:demo:000001 }
        mode: flashing
)";

} // namespace

TEST_CASE("a valid rule file reads into the model", "[rules][adapters]") {
  auto result = parse_rule_file(full_file, "t.yaml", city);
  INFO((result ? "" : twin::describe(result.error())));
  REQUIRE(result);
  CHECK(result->origin == "t.yaml");
  REQUIRE(result->rules.size() == 5);

  SECTION("for_each intersection: sun, time and attribute clauses") {
    const auto& r = result->rules[0];
    CHECK(r.id == "night-lights-follow-traffic");
    CHECK(r.description == "Lamps along busy approaches go to full at night");
    CHECK(r.for_each == entity_kind::intersection);
    CHECK_FALSE(r.entity);
    CHECK(r.signalised_only);
    CHECK(r.enabled);
    CHECK(r.line == 3);
    CHECK(r.hold_ms == 5 * 60 * 1000); // for: 5m
    REQUIRE(r.when.size() == 3);
    const auto& sun = r.when[0];
    CHECK(sun.what == clause::type::sun);
    CHECK(sun.below == -0.833);
    CHECK_FALSE(sun.above);
    CHECK(sun.hysteresis == 0.5);
    CHECK(sun.line == 8);
    const auto& night = r.when[1];
    CHECK(night.what == clause::type::time_of_day);
    CHECK(night.from_min == 22 * 60); // wraps midnight: from > to
    CHECK(night.to_min == 6 * 60);
    CHECK(night.line == 10);
    const auto& flow = r.when[2];
    CHECK(flow.what == clause::type::attribute);
    CHECK(flow.attribute == "vehicle_flow");
    CHECK(flow.of.rel == relation::approaching);
    CHECK(flow.of.line == 12);
    CHECK(flow.how == match::any);
    CHECK(flow.at_least == 2);
    CHECK(flow.above == 600);
    CHECK_FALSE(flow.below);
    CHECK(flow.hysteresis == 100);
    CHECK_FALSE(flow.rate_per_ms);
    CHECK(flow.line == 11);
    REQUIRE(r.then.size() == 2);
    const auto& dim = r.then[0];
    CHECK(dim.what == action_kind::command);
    CHECK(dim.command == twin::command_kind::dim);
    CHECK(dim.to.rel == relation::along);
    CHECK(dim.to.kind == entity_kind::street_lamp);
    CHECK(dim.to.base == relation::matched);
    CHECK(dim.to.clause == 2); // `clause: 3` in the file counts from 1
    CHECK(dim.to.line == 20);
    CHECK(dim.level == 1.0);
    CHECK(dim.line == 19);
    const auto& plan = r.then[1];
    CHECK(plan.command == twin::command_kind::signal_plan);
    CHECK(plan.to.rel == relation::self);
    CHECK(plan.to.line == 23);
    CHECK(plan.plan == plan_kind::favour);
    CHECK(plan.green_s == std::vector<uint16_t>{45, 20});
    REQUIRE(r.otherwise.size() == 1);
    CHECK(r.otherwise[0].command == twin::command_kind::signal_mode);
    CHECK(r.otherwise[0].mode == twin::signal_mode::normal);
    CHECK(r.otherwise[0].line == 27);
  }

  SECTION("one entity: a rate clause and an alert") {
    const auto& r = result->rules[1];
    CHECK(r.entity == twin::entity_id{entity_kind::air_quality, 7});
    CHECK_FALSE(r.for_each);
    CHECK_FALSE(r.enabled);
    CHECK(r.hold_ms == 0); // no `for`
    REQUIRE(r.when.size() == 1);
    CHECK(r.when[0].rate_per_ms == 3600 * 1000); // rate_per: 1h
    // Without `of` the clause looks at the anchor, on the clause's line.
    CHECK(r.when[0].of.rel == relation::self);
    CHECK(r.when[0].of.line == 34);
    REQUIRE(r.then.size() == 1);
    CHECK(r.then[0].what == action_kind::alert);
    CHECK(r.then[0].alert_kind == "rate_of_change");
    CHECK(r.then[0].level_of_urgency == severity::critical);
    CHECK(r.then[0].text == "PM2.5 rising fast");
    CHECK(r.otherwise.empty());
  }

  SECTION("within and nearest, and a recommendation with candidates") {
    const auto& r = result->rules[2];
    const auto& c = r.when.at(0);
    CHECK(c.of.rel == relation::within);
    CHECK(c.of.kind == entity_kind::parking_sensor);
    CHECK(c.of.radius_m == 500);
    CHECK(c.how == match::sum);
    CHECK(c.below == 10);
    const auto& a = r.then.at(0);
    CHECK(a.what == action_kind::recommend);
    CHECK(a.recommend == recommendation::guide_to_nearest_free);
    CHECK(a.audience == "public");
    CHECK(a.level_of_urgency == severity::info);
    CHECK(a.candidates.rel == relation::nearest);
    CHECK(a.candidates.kind == entity_kind::parking_sensor);
    CHECK(a.candidates.k == 5);
    CHECK(a.candidates.line == 52);
    CHECK(a.candidate_attribute == "free_spaces"); // the default
    CHECK(a.candidate_above == 2);
    CHECK(a.text == "Try the next car park");
  }

  SECTION("the whole city: all, an entity, matched by number") {
    const auto& r = result->rules[3];
    CHECK_FALSE(r.for_each);
    CHECK_FALSE(r.entity);
    REQUIRE(r.when.size() == 2);
    CHECK(r.when[0].of.rel == relation::all);
    CHECK(r.when[0].of.kind == entity_kind::waste_bin);
    CHECK(r.when[0].how == match::avg);
    CHECK(r.when[1].of.rel == relation::entity);
    CHECK(r.when[1].of.id == twin::entity_id{entity_kind::road_segment, 3});
    REQUIRE(r.then.size() == 2);
    CHECK(r.then[0].recommend == recommendation::collection_route);
    CHECK(r.then[0].audience == "operator");                // the default
    CHECK(r.then[0].level_of_urgency == severity::warning); // the default
    CHECK(r.then[1].recommend == recommendation::divert_heavy_traffic);
    CHECK(r.then[1].candidates.rel == relation::matched);
    CHECK(r.then[1].candidates.clause == 1); // `matched: 2`
    CHECK(r.then[1].candidates.line == 67);
  }

  SECTION("a placed thing: its segment, and an entity as a map") {
    const auto& r = result->rules[4];
    CHECK(r.for_each == entity_kind::street_lamp);
    CHECK(r.when.at(0).of.rel == relation::segment);
    CHECK(r.when.at(0).how == match::all);
    REQUIRE(r.then.size() == 2);
    CHECK(r.then[0].level == 0.5);
    CHECK(r.then[1].to.rel == relation::entity);
    CHECK(r.then[1].to.id == twin::entity_id{entity_kind::intersection, 1});
    CHECK(r.then[1].mode == twin::signal_mode::flashing);
  }
}

TEST_CASE("rule files: unknown, repeated and missing keys",
          "[rules][adapters]") {
  CHECK_THAT(problems("version: 1\nrules: []\ncolour: red\n"),
             Contains("t.yaml:3: file: unknown key 'colour' (allowed: "
                      "version, rules, aggregates, watch)"));
  CHECK_THAT(problems("rules: []\n"),
             Contains("t.yaml:1: file: missing key 'version'"));
  auto rule = one_rule("    dscription: x\n"              // 4
                       "    when: [ { sun_below: 0 } ]\n" // 5
                       "    when: [ { sun_above: 0 } ]\n" // 6
                       "    then: [ { alert: x, colour: red } ]\n");
  auto text = problems(rule);
  CHECK_THAT(text, Contains("t.yaml:4: rule 'r': unknown key 'dscription' "
                            "(allowed: id, description, for_each, entity,"));
  CHECK_THAT(text, Contains("t.yaml:6: rule 'r': key 'when' repeats line 5"));
  CHECK_THAT(text, Contains("t.yaml:7: rule 'r' then action 1: unknown key "
                            "'colour' (allowed: alert, severity, text)"));
  // A key of another command is unknown to this one.
  CHECK_THAT(problems(clause_and_action("street_lamp", "      - sun_below: 0\n",
                                        "      - command: dim\n" // 8
                                        "        to: self\n"
                                        "        level: 1\n"
                                        "        mode: flashing\n")),
             Contains("t.yaml:11: rule 'r' then action 1: unknown key 'mode' "
                      "(allowed: command, to, level)"));
  // Selector maps take their own keys.
  CHECK_THAT(problems(clause_and_action(
                 "intersection",
                 "      - attribute: dim_level\n" // 6
                 "        of: { kind: street_lamp, along: approaching,"
                 " radius: 5 }\n" // 7
                 "        above: 0\n",
                 any_alert)),
             Contains("t.yaml:7: rule 'r' clause 1 of: unknown key 'radius' "
                      "(allowed: along, kind, clause)"));
  auto missing = problems("version: 1\nrules:\n  - description: nothing\n");
  CHECK_THAT(missing, Contains("t.yaml:3: rule #1: missing key 'id'"));
  CHECK_THAT(missing, Contains("t.yaml:3: rule #1: missing key 'when'"));
  CHECK_THAT(missing, Contains("t.yaml:3: rule #1: missing key 'then'"));
  CHECK_THAT(problems(clause_and_action("street_lamp", "      - sun_below: 0\n",
                                        "      - command: dim\n" // 8
                                        "        level: 1\n")),
             Contains("t.yaml:8: rule 'r' then action 1: missing key 'to'"));
}

TEST_CASE("rule files: wrong types and malformed values", "[rules][adapters]") {
  CHECK_THAT(problems(one_rule("    when: sunset\n" // 4
                               "    then: [ { alert: x } ]\n")),
             Contains("t.yaml:4: rule 'r': 'when' must be a list"));
  CHECK_THAT(problems("version: 1\nrules:\n  - just a word\n"),
             Contains("t.yaml:3: rule #1: expected a map"));
  auto text = problems(one_rule("    description: [a, b]\n"        // 4
                                "    enabled: yes\n"               // 5
                                "    for: 5 minutes\n"             // 6
                                "    when:\n"                      // 7
                                "      - attribute: fill_level\n"  // 8
                                "        of: { all: waste_bin }\n" // 9
                                "        above: lots\n"            // 10
                                "        rate_per: 1.5h\n"         // 11
                                "    then:\n"                      // 12
                                "      - alert: threshold\n"       // 13
                                "        severity: dire\n"));      // 14
  CHECK_THAT(text, Contains("t.yaml:4: rule 'r': 'description' needs a "
                            "single value"));
  CHECK_THAT(text, Contains("t.yaml:5: rule 'r': 'enabled' must be true or "
                            "false, not 'yes'"));
  CHECK_THAT(text, Contains("t.yaml:6: rule 'r': 'for' is not a duration: "
                            "'5 minutes'"));
  CHECK_THAT(text, Contains("t.yaml:10: rule 'r' clause 1: 'above' must be a "
                            "number, not 'lots'"));
  CHECK_THAT(text, Contains("t.yaml:11: rule 'r' clause 1: 'rate_per' is not "
                            "a duration: '1.5h'"));
  CHECK_THAT(text, Contains("t.yaml:14: rule 'r' then action 1: unknown "
                            "severity 'dire' (info, warning, critical)"));
  // The six above, and nothing else.
  CHECK_THAT(text, Contains("6 problem(s) in t.yaml"));
}

TEST_CASE("rule files: names, ids and kinds", "[rules][adapters]") {
  auto twice = problems("version: 1\n"
                        "rules:\n"
                        "  - { id: a, when: [ { sun_below: 0 } ],"
                        " then: [ { alert: x } ] }\n" // 3
                        "  - { id: a, when: [ { sun_below: 0 } ],"
                        " then: [ { alert: x } ] }\n"); // 4
  CHECK_THAT(twice, Contains("t.yaml:4: rule 'a': id already used on line 3"));
  CHECK_THAT(twice, Contains("1 problem(s)"));
  auto bad_id = problems("version: 1\n"
                         "rules:\n"
                         "  - { id: Night Lights, when: [ { sun_below: 0 } ],"
                         " then: [ { alert: Threshold! } ] }\n");
  CHECK_THAT(bad_id, Contains("t.yaml:3: rule #1: id 'Night Lights' must "
                              "match [a-z0-9][a-z0-9_-]{0,63}"));
  CHECK_THAT(bad_id, Contains("t.yaml:3: rule #1 then action 1: alert kind "
                              "'Threshold!' must match [a-z_]{1,32}"));
  CHECK_THAT(
      problems(clause_and_action("lamp", "      - sun_below: 0\n", any_alert)),
      Contains("t.yaml:4: rule 'r': unknown kind 'lamp' (road_segment, "
               "intersection, street_lamp, waste_bin, traffic_counter,"
               " air_quality, noise_sensor, parking_sensor, "
               "energy_meter, camera)"));
  CHECK_THAT(problems(clause_and_action("street_lamp",
                                        "      - attribute: flow\n" // 6
                                        "        above: 1\n",
                                        any_alert)),
             Contains("t.yaml:6: rule 'r' clause 1: street_lamp has no "
                      "attribute 'flow' (it has: dim_level, lamp_fault, "
                      "power, on,"));
  CHECK_THAT(problems(clause_and_action("street_lamp", "      - sun_below: 0\n",
                                        "      - command: blink\n"
                                        "        to: self\n")),
             Contains("t.yaml:8: rule 'r' then action 1: unknown command "
                      "'blink' (dim, signal_plan, signal_mode)"));
  // Long values are cut to 64 characters in messages.
  auto long_kind = std::string(100, 'k');
  auto cut = problems(
      clause_and_action(long_kind, "      - sun_below: 0\n", any_alert));
  CHECK_THAT(cut, Contains("unknown kind '" + std::string(64, 'k') + "...'"));
  CHECK_THAT(cut, !Contains(std::string(65, 'k')));
}

TEST_CASE("rule files: entities by URN", "[rules][adapters]") {
  auto entity = [](const std::string& urn) {
    // The entity is on line 4.
    return problems(one_rule("    entity: " + urn + "\n"
                             + "    when: [ { sun_below: 0 } ]\n"
                             + "    then: [ { alert: x } ]\n"));
  };
  CHECK(entity("urn:ngsi-ld:StreetLight:demo:000001").empty());
  CHECK_THAT(entity("urn:ngsi-ld:StreetLight:aarhus:000001"),
             Contains("t.yaml:4: rule 'r': 'urn:ngsi-ld:StreetLight:aarhus:"
                      "000001' is an entity of city 'aarhus', not of 'demo'"));
  CHECK_THAT(entity("urn:ngsi-ld:Lamp:demo:000001"),
             Contains("t.yaml:4: rule 'r': 'urn:ngsi-ld:Lamp:demo:000001' "
                      "names no entity type (RoadSegment, Intersection,"));
  CHECK_THAT(entity("urn:ngsi-ld:StreetLight:demo:x"),
             Contains("t.yaml:4: rule 'r': 'urn:ngsi-ld:StreetLight:demo:x' "
                      "is not an entity URN"));
  CHECK_THAT(problems(one_rule("    for_each: street_lamp\n" // 4
                               "    entity: urn:ngsi-ld:StreetLight:demo:1\n"
                               "    when: [ { sun_below: 0 } ]\n"
                               "    then: [ { alert: x } ]\n")),
             Contains("t.yaml:5: rule 'r': give 'for_each' (every entity of a "
                      "kind) or 'entity' (one), not both"));
}

TEST_CASE("rule files: numbers out of range or not finite",
          "[rules][adapters]") {
  auto text = problems(clause_and_action(
      "intersection",
      "      - sun_below: 95\n"                                 // 6
      "      - attribute: vehicle_flow\n"                       // 7
      "        of: approaching\n"                               // 8
      "        above: .inf\n"                                   // 9
      "        hysteresis: -1\n"                                // 10
      "        at_least: 0\n"                                   // 11
      "      - attribute: dim_level\n"                          // 12
      "        of: { kind: street_lamp, within_m: 60000 }\n"    // 13
      "        below: .nan\n"                                   // 14
      "      - attribute: dim_level\n"                          // 15
      "        of: { kind: street_lamp, nearest: 0 }\n"         // 16
      "        below: 1e999\n",                                 // 17
      "      - command: signal_plan\n"                          // 19
      "        to: self\n"                                      // 20
      "        green_s: [30, 200]\n"                            // 21
      "      - command: dim\n"                                  // 22
      "        to: { kind: street_lamp, along: approaching }\n" // 23
      "        level: 1.5\n"));                                 // 24
  CHECK_THAT(text, Contains("t.yaml:6: rule 'r' clause 1: 'sun_below' must be "
                            "in [-90, 90], not 95"));
  CHECK_THAT(text, Contains("t.yaml:9: rule 'r' clause 2: 'above' must be a "
                            "finite number, not '.inf'"));
  CHECK_THAT(text, Contains("t.yaml:10: rule 'r' clause 2: 'hysteresis' must "
                            "be at least 0, not -1"));
  CHECK_THAT(text, Contains("t.yaml:11: rule 'r' clause 2: 'at_least' must be "
                            "a whole number of at least 1, not '0'"));
  CHECK_THAT(text,
             Contains("t.yaml:13: rule 'r' clause 3 of: 'within_m' must "
                      "be above 0 and at most 50000 (metres), not 60000"));
  CHECK_THAT(text, Contains("t.yaml:14: rule 'r' clause 3: 'below' must be a "
                            "finite number, not '.nan'"));
  CHECK_THAT(text, Contains("t.yaml:16: rule 'r' clause 4 of: 'nearest' must "
                            "be a whole number in [1, 1000], not '0'"));
  CHECK_THAT(text, Contains("t.yaml:17: rule 'r' clause 4: 'below' must be a "
                            "finite number, not '1e999'"));
  CHECK_THAT(text, Contains("t.yaml:21: rule 'r' then action 1: 'green_s' "
                            "must be a whole number in [5, 180], not '200'"));
  CHECK_THAT(text, Contains("t.yaml:24: rule 'r' then action 2: 'level' must "
                            "be in [0, 1], not 1.5"));
  // Each problem once, nothing else: the file is otherwise valid.
  CHECK_THAT(text, Contains("10 problem(s) in t.yaml"));
  CHECK_THAT(problems("version: 2\nrules: []\n"),
             Contains("t.yaml:1: file: unsupported version '2', expected 1"));
}

TEST_CASE("rule files: too many rules, clauses, actions", "[rules][adapters]") {
  std::string many = "version: 1\nrules:\n"
                     "  - &r { id: a, when: [ { sun_below: 0 } ],"
                     " then: [ { alert: x } ] }\n";
  // 20,001 rules (aliases of the first, so the text stays small).
  for (int i = 0; i < 20000; ++i)
    many += "  - *r\n";
  CHECK_THAT(problems(many), Contains("t.yaml:3: file: 'rules' has 20001 "
                                      "entries, at most 20000"));
  std::string clauses = "[ { sun_below: 0 }";
  std::string actions = "[ { alert: x }";
  for (int i = 1; i < 17; ++i) {
    clauses += ", { sun_below: 0 }";
    actions += ", { alert: x }";
  }
  auto text = problems(one_rule("    when: " + clauses + "]\n" // 4
                                + "    then: " + actions + "]\n"
                                + "    otherwise: " + actions + "]\n"));
  CHECK_THAT(text, Contains("t.yaml:4: rule 'r': 'when' has 17 entries, at "
                            "most 16"));
  CHECK_THAT(text, Contains("t.yaml:5: rule 'r': 'then' has 17 entries, at "
                            "most 16"));
  CHECK_THAT(text, Contains("t.yaml:6: rule 'r': 'otherwise' has 17 entries, "
                            "at most 16"));
  CHECK_THAT(problems(one_rule("    when: []\n    then: [ { alert: x } ]\n")),
             Contains("t.yaml:4: rule 'r': 'when' must not be empty"));
  CHECK_THAT(problems(one_rule("    when: [ { sun_below: 0 } ]\n"
                               "    then: [ { alert: x, text: "
                               + std::string(257, 't') + " } ]\n")),
             Contains("t.yaml:5: rule 'r' then action 1: 'text' has 257 "
                      "bytes, at most 256"));
}

TEST_CASE("rule files: selectors must fit the rule", "[rules][adapters]") {
  // Whole-city rules have no anchor.
  CHECK_THAT(problems(one_rule("    when:\n"                    // 4
                               "      - attribute: dim_level\n" // 5
                               "        above: 0\n"
                               "    then: [ { alert: x } ]\n")),
             Contains("t.yaml:5: rule 'r' clause 1 of: a rule for the whole "
                      "city has no self"));
  CHECK_THAT(problems(one_rule("    when:\n"                       // 4
                               "      - attribute: vehicle_flow\n" // 5
                               "        of: leaving\n"             // 6
                               "        above: 0\n"
                               "    then: [ { alert: x } ]\n")),
             Contains("t.yaml:6: rule 'r' clause 1 of: a rule for the whole "
                      "city has no anchor, so no leaving (it needs a rule "
                      "for an intersection)"));
  // approaching needs an intersection; segment a placed thing; along self
  // a road segment; along, within and nearest a kind.
  CHECK_THAT(problems(clause_and_action("street_lamp",
                                        "      - attribute: vehicle_flow\n"
                                        "        of: approaching\n" // 7
                                        "        above: 0\n",
                                        any_alert)),
             Contains("t.yaml:7: rule 'r' clause 1 of: approaching needs a "
                      "rule for an intersection, not for street_lamp"));
  CHECK_THAT(problems(clause_and_action("intersection",
                                        "      - attribute: vehicle_flow\n"
                                        "        of: segment\n" // 7
                                        "        above: 0\n",
                                        any_alert)),
             Contains("t.yaml:7: rule 'r' clause 1 of: segment needs a rule "
                      "for a placed thing"));
  CHECK_THAT(problems(clause_and_action(
                 "intersection",
                 "      - attribute: dim_level\n"
                 "        of: { kind: street_lamp, along: self }\n" // 7
                 "        above: 0\n",
                 any_alert)),
             Contains("t.yaml:7: rule 'r' clause 1 of: along self needs a "
                      "rule for a road_segment, not for intersection"));
  CHECK_THAT(problems(clause_and_action("intersection",
                                        "      - attribute: dim_level\n"
                                        "        of: { along: leaving }\n"
                                        "        above: 0\n",
                                        any_alert)),
             Contains("t.yaml:7: rule 'r' clause 1 of: 'along' needs 'kind'"));
  // matched is for actions, and names an attribute clause that exists.
  CHECK_THAT(problems(clause_and_action("intersection",
                                        "      - attribute: vehicle_flow\n"
                                        "        of: matched\n" // 7
                                        "        above: 0\n",
                                        any_alert)),
             Contains("t.yaml:7: rule 'r' clause 1 of: 'matched' is only for "
                      "actions"));
  auto matched = problems(clause_and_action(
      "intersection",
      "      - time_between: [\"22:00\", \"06:00\"]\n"      // 6
      "      - attribute: vehicle_flow\n"                   // 7
      "        of: approaching\n"                           // 8
      "        above: 600\n",                               // 9
      "      - command: dim\n"                              // 11
      "        to: { kind: street_lamp, along: matched }\n" // 12
      "      - command: signal_mode\n"                      // 13
      "        to: { matched: 3 }\n"                        // 14
      "        mode: flashing\n"                            // 15
      "      - command: dim\n"                              // 16
      "        to: { matched: 2 }\n"                        // 17
      "        level: 0\n"));
  CHECK_THAT(matched, Contains("t.yaml:11: rule 'r' then action 1: dim needs "
                               "'level' (0 .. 1)"));
  CHECK_THAT(matched, Contains("t.yaml:12: rule 'r' then action 1 to: clause 1 "
                               "is not an attribute clause, so it matches no "
                               "entities"));
  CHECK_THAT(matched, Contains("t.yaml:14: rule 'r' then action 2 to: matched "
                               "clause 3 does not exist (the rule has 2)"));
  // Clause 2 matched road segments, which take no commands.
  CHECK_THAT(matched, Contains("t.yaml:17: rule 'r' then action 3: action on "
                               "a non-actuator: road_segment takes no dim "
                               "command"));
  CHECK_THAT(
      problems(clause_and_action("intersection", "      - sun_below: 0\n",
                                 "      - command: dim\n"
                                 "        to: self\n" // 9
                                 "        level: 1\n")),
      Contains("t.yaml:9: rule 'r' then action 1: action on a "
               "non-actuator: intersection takes no dim command"));
  CHECK_THAT(problems(clause_and_action("street_lamp", "      - sun_below: 0\n",
                                        any_alert)
                      + "    signalised_only: true\n"), // 9
             Contains("t.yaml:9: rule 'r': 'signalised_only' is only for "
                      "for_each: intersection"));
  CHECK_THAT(
      problems(clause_and_action("intersection", "      - sun_below: 0\n",
                                 "      - command: signal_plan\n" // 8
                                 "        to: self\n"
                                 "        plan: favour\n"
                                 "        green_s: [30, 20, 10]\n")), // 11
      Contains("t.yaml:11: rule 'r' then action 1: plan favour takes 2 "
               "'green_s' values, not 3"));
  CHECK_THAT(problems(clause_and_action(
                 "intersection", "      - sun_below: 0\n",
                 "      - recommend: divert_heavy_traffic\n"
                 "        candidates: { kind: street_lamp, nearest: 3 }\n")),
             Contains("t.yaml:9: rule 'r' then action 1: divert_heavy_traffic "
                      "candidates must be road segments, not street_lamp"));
  CHECK_THAT(problems(clause_and_action(
                 "intersection", "      - sun_below: 0\n",
                 "      - recommend: guide_to_nearest_free\n" // 8
                 "        candidates: { kind: waste_bin, nearest: 3 }\n")),
             Contains("t.yaml:9: rule 'r' then action 1: waste_bin has no "
                      "attribute 'free_spaces'"));
}

TEST_CASE("rule files: every problem at once, and YAML errors",
          "[rules][adapters]") {
  // Four unrelated mistakes in four places: all are reported, in order.
  auto text = problems("version: 1\n"
                       "rules:\n"
                       "  - id: a\n"
                       "    for_each: lamp\n" // 4
                       "    when: [ { sun_below: 0 } ]\n"
                       "    then: [ { alert: x } ]\n"
                       "    for: soon\n" // 7
                       "  - id: b\n"     // 8
                       "    when: [ { time_between: [\"6:00\", \"6:00\"] } ]\n"
                       "    then: [ { alert: x, severity: high } ]\n"); // 10
  CHECK_THAT(text, StartsWith("invalid_config: 4 problem(s) in t.yaml\n"
                              "t.yaml:4: "));
  CHECK_THAT(text, Contains("\nt.yaml:7: rule 'a': 'for' is not a duration: "
                            "'soon'"));
  CHECK_THAT(text, Contains("\nt.yaml:9: rule 'b' clause 1: 'time_between' "
                            "starts and ends at the same time"));
  CHECK_THAT(text, Contains("\nt.yaml:10: rule 'b' then action 1: unknown "
                            "severity 'high'"));
  // A syntax error is one problem, with its line.
  auto yaml = problems("version: 1\nrules:\n  - id: a\n    when: [ {\n");
  CHECK_THAT(yaml, Contains("1 problem(s) in t.yaml\nt.yaml:"));
  CHECK_THAT(yaml, Contains(": YAML: "));
  CHECK_THAT(problems(""),
             Contains("t.yaml:1: file: expected a map with 'version' and "
                      "'rules'"));
}

TEST_CASE("rule files on disk", "[rules][adapters]") {
  temp_file good{"citytwin-rules-test.yaml", full_file};
  auto loaded = load_rule_file(good.path, city);
  REQUIRE(loaded);
  CHECK(loaded->origin == good.path);
  CHECK(loaded->rules.size() == 5);

  // Problems name the file.
  temp_file bad{"citytwin-rules-bad.yaml", "version: 1\nrules: 3\n"};
  auto refused = load_rule_file(bad.path, city);
  REQUIRE_FALSE(refused);
  CHECK_THAT(twin::describe(refused.error()),
             Contains(bad.path + ":2: file: 'rules' must be a list"));

  auto missing = load_rule_file("/nonexistent/rules.yaml", city);
  REQUIRE_FALSE(missing);
  CHECK(static_cast<twin::errc>(missing.error().code())
        == twin::errc::io_failure);
  CHECK_THAT(twin::describe(missing.error()),
             Contains("cannot read rule file /nonexistent/rules.yaml"));

  // One byte over 4 MiB is refused, on disk and as text; a YAML comment
  // makes it a file that would otherwise be valid.
  auto big
      = "version: 1\nrules: []\n#" + std::string(max_rule_file_bytes - 21, 'x');
  REQUIRE(big.size() == max_rule_file_bytes + 1);
  temp_file huge{"citytwin-rules-huge.yaml", big};
  auto too_large = load_rule_file(huge.path, city);
  REQUIRE_FALSE(too_large);
  CHECK(static_cast<twin::errc>(too_large.error().code())
        == twin::errc::invalid_config);
  CHECK_THAT(twin::describe(too_large.error()),
             Contains(huge.path
                      + ": 4194305 bytes; a rule file may have at "
                        "most 4194304 (4 MiB)"));
  CHECK_THAT(problems(big), Contains("t.yaml: 4194305 bytes"));
  big.pop_back();
  CHECK(problems(big).empty());
}

TEST_CASE("rule files: watches", "[rules][adapters]") {
  auto parsed = rules::parse_rule_file("version: 1\n"
                                       "rules: []\n"
                                       "watch:\n"
                                       "  stale_sensors:\n"
                                       "    of: [air_quality, traffic_counter]\n"
                                       "    factor: 4\n"
                                       "    learn: 5\n"
                                       "    at_least: 2m\n"
                                       "  actuators:\n"
                                       "    confirm_within: 90s\n",
                                       "t.yaml", "demo");
  REQUIRE(parsed);
  const auto& stale = parsed->watch.stale;
  CHECK(stale.enabled);
  CHECK(stale.kinds
        == std::vector<entity_kind>{entity_kind::air_quality,
                                    entity_kind::traffic_counter});
  CHECK(stale.factor == 4);
  CHECK(stale.learn == 5);
  CHECK(stale.at_least_ms == 120'000);
  CHECK(parsed->watch.actuators.enabled);
  CHECK(parsed->watch.actuators.confirm_within_ms == 90'000);
  // Without `watch`, nothing is watched.
  auto plain = rules::parse_rule_file("version: 1\nrules: []\n", "t.yaml",
                                      "demo");
  REQUIRE(plain);
  CHECK_FALSE(plain->watch.stale.enabled);
  CHECK_FALSE(plain->watch.actuators.enabled);
  // Every problem, with its line.
  auto text = problems("version: 1\n"
                       "rules: []\n"
                       "watch:\n"
                       "  stale_sensors:\n"         // 4
                       "    of: [air_quality, unicorn]\n" // 5
                       "    factor: 1\n"            // 6
                       "    learn: many\n"          // 7
                       "    at_least: soon\n"       // 8
                       "  actuators: { confirm_within: 0s }\n" // 9
                       "  lamps: {}\n");            // 10
  CHECK_THAT(text, Contains("t.yaml:5: watch: stale_sensors: unknown kind "
                            "'unicorn'"));
  CHECK_THAT(text, Contains("t.yaml:6: watch: stale_sensors: 'factor' must be "
                            "in [1.5, 1000], not 1"));
  CHECK_THAT(text, Contains("t.yaml:7: watch: stale_sensors: 'learn' must be "
                            "a whole number in [1, 1000], not 'many'"));
  CHECK_THAT(text, Contains("t.yaml:8: watch: stale_sensors: 'at_least' is "
                            "not a duration: 'soon'"));
  CHECK_THAT(text, Contains("t.yaml:9: watch: actuators: 'confirm_within' is "
                            "not a duration: '0s'"));
  CHECK_THAT(text, Contains("t.yaml:10: watch: unknown key 'lamps' (allowed: "
                            "stale_sensors, actuators)"));
  CHECK_THAT(problems("version: 1\nrules: []\nwatch:\n  stale_sensors: {}\n"),
             Contains("t.yaml:4: watch: stale_sensors: missing key 'of'"));
}

TEST_CASE("rule files: derived attributes", "[rules][adapters]") {
  auto rule = [](const std::string& actions) {
    return "version: 1\nrules:\n"
           "  - id: r\n"
           "    for_each: intersection\n"
           "    when:\n"
           "      - sun_below: 0\n"                  // 6
           "      - attribute: vehicle_flow\n"       // 7
           "        of: approaching\n"
           "        above: 1\n"
           "    then:\n"                             // 10
           + actions;
  };
  auto parsed = rules::parse_rule_file(rule("      - derive: load\n"
                                            "        function: p95\n"
                                            "      - derive: night\n"
                                            "        value: 1\n"),
                                       "t.yaml", "demo");
  REQUIRE(parsed);
  const auto& then = parsed->rules.at(0).then;
  REQUIRE(then.size() == 2);
  CHECK(then[0].what == action_kind::derive);
  CHECK(then[0].derived == "load");
  CHECK(then[0].function == aggregate_fn::p95);
  CHECK_FALSE(then[0].clause);
  CHECK_FALSE(then[0].constant);
  CHECK(then[1].constant == 1.0);
  auto text = problems(rule("      - derive: Load\n"          // 11
                            "      - derive: x\n"             // 12
                            "        value: 1\n"
                            "        function: avg\n"
                            "      - derive: y\n"             // 15
                            "        clause: 1\n"             // 16
                            "      - derive: z\n"             // 17
                            "        clause: 5\n"             // 18
                            "      - derive: w\n"             // 19
                            "        function: median\n"));   // 20
  CHECK_THAT(text, Contains("t.yaml:11: rule 'r' then action 1: derived "
                            "attribute 'Load' must match [a-z][a-z0-9_]{0,31}"));
  CHECK_THAT(text, Contains("t.yaml:12: rule 'r' then action 2: 'value' (a "
                            "constant) excludes 'function' and 'clause'"));
  CHECK_THAT(text, Contains("t.yaml:16: rule 'r' then action 3: clause 1 is "
                            "not an attribute clause"));
  CHECK_THAT(text, Contains("t.yaml:18: rule 'r' then action 4: matched "
                            "clause 5 does not exist (the rule has 2)"));
  CHECK_THAT(text, Contains("t.yaml:20: rule 'r' then action 5: unknown "
                            "function 'median'"));
  CHECK_THAT(problems("version: 1\nrules:\n  - id: r\n    when:\n"
                      "      - sun_below: 0\n    then:\n"
                      "      - derive: dark\n"), // 7
             Contains("t.yaml:7: rule 'r' then action 1: the rule has no "
                      "attribute clause to derive from"));
}
