// tests/scenarios/scenario_file/scenario_reader.cpp: scenario files read
// against the 4 x 4 test grid (grid_city.hpp). Segment numbers: east-west
// streets first, row by row, two per block (eastbound, then westbound):
// row r, block c gives 6r + 2c and 6r + 2c + 1; then north-south, column by
// column: column c, block r gives 24 + 6c + 2r (northbound) and + 1.
#include "scenarios/scenario_file/scenario_reader.hpp"

#include "grid_city.hpp"
#include "twin/error.hpp"

#include <catch2/catch.hpp>

#include <sstream>

using namespace citytwin;
using namespace citytwin::scenarios;
using Catch::Contains;

namespace {

caf::expected<scenario_spec> read(const std::string& text,
                                  const twin::city& c = test::grid_city()) {
  std::istringstream in{text};
  return read_scenario(in, "test.yaml", c);
}

// The report of a file that must be refused.
std::string refused(const std::string& text) {
  auto result = read(text);
  REQUIRE_FALSE(result);
  CHECK(result.error() == twin::errc::invalid_config);
  return twin::describe(result.error());
}

// The first five lines of every small test file (so problems in what
// follows are on line 6 and later): an 8 h scenario from 18:00.
const std::string head = "version: 1\n"
                         "name: t\n"
                         "city: grid\n"
                         "start: \"2026-06-13T18:00\"\n"
                         "horizon: 8h\n";

// An event at intersection 10 (row 2, column 2) from line 7 on; `extra`
// goes at its end (at line 13).
std::string event(const std::string& arrival, const std::string& departure,
                  const std::string& extra = "") {
  return head + "events:\n"                     // 6
         + "  - name: show\n"                   // 7
         + "    venue: {intersection: 10}\n"    // 8
         + "    attendees: 1000\n"              // 9
         + "    arrival: " + arrival + "\n"     // 10
         + "    departure: " + departure + "\n" // 11
         + "    car_share: 0.3\n"               // 12
         + "    occupancy: 1.5\n"               // 13: 200 cars
         + extra;
}

const std::string parking = "    parking:\n" // 14
                            "      - {name: P1, intersection: 15, spaces: 300,"
                            " exit_capacity_veh_h: 400}\n"; // 15

const std::string valid_file = R"(version: 1
name: grid_test
description: a test
city: grid
start: "2026-06-13T18:00"
horizon: 8h
seed: 12345678901234
step: 0.5s
output_interval: 10min
rerouting: {enabled: true, period: 3min, share: 0.25}
background: {level: 1.5, source: live_counters}
events:
  - name: concert
    venue: {intersection: 10}
    attendees: 1000
    arrival: {from: "18:30", to: "19:30"}
    departure: {from: "23:00", to: "+5h30min"}
    car_share: 0.3
    occupancy: 1.2
    parking:
      - {name: P1, intersection: 15, spaces: 200, exit_capacity_veh_h: 300}
      - {name: P2, segment: 2, spaces: 100, exit_capacity_veh_h: 150}
      - {name: P3, lon: 10.0096, lat: 56.0, snap_m: 50, spaces: 50, exit_capacity_veh_h: 100}
closures:
  - segment: 0
    window: {from: "20:00", to: "21:00"}
  - segments: [3, 1, 3]
  - name: "Col 0"
    window: {from: "+1h"}
lane_reductions:
  - name: "Row 1"
    lanes: 1
    window: {to: "01:00"}
signal_plans:
  - intersection: 5
    cycle: 80s
    green_share: [{segment: 6, share: 0.4}, {segment: 9, share: 0.4}]
    window: {from: "19:00", to: "20:00"}
  - intersection: 5
    extend_green: {segment: 30, seconds: 10}
    window: {from: "20:00", to: "21:00"}
failures:
  - entity: "urn:ngsi-ld:StreetLight:grid:000000"
  - kind: traffic_counter
    number: 0
    window: {from: "18:00", to: "18:30"}
  - kind: intersection
    number: 5
)";

} // namespace

TEST_CASE("the test grid is numbered as the scenario tests assume",
          "[scenarios][scenario_file]") {
  auto c = test::grid_city();
  CHECK(c.roads.num_segments() == 48);
  CHECK(test::segment_between(c, 0, 1) == 0);
  CHECK(test::segment_between(c, 2, 1) == 3);
  CHECK(test::segment_between(c, 4, 5) == 6);
  CHECK(test::segment_between(c, 6, 5) == 9);
  CHECK(test::segment_between(c, 1, 5) == 30);
  CHECK(test::segment_between(c, 10, 11) == 16);
  CHECK(test::segment_between(c, 9, 10) == 14);
  CHECK(test::segment_between(c, 6, 10) == 38);
  CHECK(test::segment_between(c, 14, 10) == 41);
}

TEST_CASE("a valid scenario file reads into the resolved spec",
          "[scenarios][scenario_file]") {
  auto result = read(valid_file);
  INFO((result ? "" : twin::describe(result.error())));
  REQUIRE(result);
  const auto& s = *result;
  CHECK(s.name == "grid_test");
  CHECK(s.description == "a test");
  CHECK(s.city == "grid");
  CHECK(s.start == "2026-06-13T18:00");
  CHECK(s.start_date.year == 2026);
  CHECK(s.start_date.month == 6);
  CHECK(s.start_date.day == 13);
  CHECK(s.start_s_of_day == 18 * 3600);
  CHECK(s.horizon_s == 8 * 3600);
  CHECK(s.seed == 12345678901234u);
  CHECK(s.step_s == 0.5);
  CHECK(s.output_interval_s == 600);
  CHECK(s.rerouting == rerouting_spec{true, 180, 0.25});
  CHECK(s.background.level == 1.5);
  CHECK(s.background.source == background_source::live_counters);
  CHECK(s.warnings.empty());
  REQUIRE(s.events.size() == 1);
  const auto& e = s.events[0];
  CHECK(e.name == "concert");
  CHECK(e.venue == 10);
  CHECK(e.attendees == 1000);
  // 18:30 and 19:30 are 30 and 90 min after the 18:00 start; 23:00 is 5 h.
  CHECK(e.arrival == time_window{1800, 5400});
  CHECK(e.departure == time_window{18000, 19800});
  CHECK(e.car_share == 0.3);
  CHECK(e.occupancy == 1.2);
  // 1000 * 0.3 / 1.2 = 250 exactly (no rounding up to 251).
  CHECK(e.cars == 250);
  using twin::entity_kind;
  REQUIRE(e.parking.size() == 3);
  CHECK(e.parking[0]
        == parking_area{"P1", {entity_kind::intersection, 15}, 200, 300});
  CHECK(e.parking[1]
        == parking_area{"P2", {entity_kind::road_segment, 2}, 100, 150});
  // 600 m east of the south-west corner: intersection 3, snapped.
  CHECK(e.parking[2]
        == parking_area{"P3", {entity_kind::intersection, 3}, 50, 100});
  REQUIRE(s.closures.size() == 3);
  CHECK(s.closures[0] == closure_spec{{0}, {7200, 10800}});
  // Sorted, the repeated 3 once; no window: the whole horizon.
  CHECK(s.closures[1] == closure_spec{{1, 3}, {0, 28800}});
  // "Col 0": both directions of its three blocks, from +1h to the end.
  CHECK(s.closures[2] == closure_spec{{24, 25, 26, 27, 28, 29}, {3600, 28800}});
  REQUIRE(s.lane_reductions.size() == 1);
  // 01:00 is before the 18:00 start: the next day, 7 h in.
  CHECK(s.lane_reductions[0]
        == lane_reduction_spec{{6, 7, 8, 9, 10, 11}, 1, {0, 25200}});
  REQUIRE(s.signal_plans.size() == 2);
  const auto& plan = s.signal_plans[0];
  CHECK(plan.intersection == 5);
  CHECK(plan.cycle_s == 80);
  CHECK(plan.extensions.empty());
  CHECK(plan.shares == std::vector<green_share>{{6, 0.4}, {9, 0.4}});
  CHECK(plan.window == time_window{3600, 7200});
  CHECK_FALSE(s.signal_plans[1].cycle_s);
  CHECK(s.signal_plans[1].extensions == std::vector<green_extension>{{30, 10}});
  REQUIRE(s.failures.size() == 3);
  CHECK(s.failures[0]
        == failure_spec{{entity_kind::street_lamp, 0}, {0, 28800}});
  CHECK(s.failures[1]
        == failure_spec{{entity_kind::traffic_counter, 0}, {0, 1800}});
  CHECK(s.failures[2].entity == twin::entity_id{entity_kind::intersection, 5});
}

TEST_CASE("defaults fill what a scenario file leaves out",
          "[scenarios][scenario_file]") {
  auto result = read(head);
  REQUIRE(result);
  CHECK(result->seed == 1);
  CHECK(result->step_s == 1);
  CHECK(result->output_interval_s == 300);
  CHECK(result->rerouting == rerouting_spec{});
  CHECK(result->background == background_spec{});
  // A 2 min scenario reports once, at its end.
  auto short_one = read("version: 1\nname: t\ncity: grid\n"
                        "start: \"2026-06-13T18:00\"\nhorizon: 2min\n");
  REQUIRE(short_one);
  CHECK(short_one->output_interval_s == 120);
}

TEST_CASE("a venue off the network is refused on its line",
          "[scenarios][scenario_file]") {
  // 10.05 is some 3 km east of the grid, whose east edge is at 600 m.
  auto report = refused(head
                        + "events:\n"
                          "  - name: far\n"
                          "    venue: {lon: 10.05, lat: 56.0}\n" // 8
                          "    attendees: 10\n"
                          "    departure: {from: \"19:00\", to: \"19:30\"}\n"
                          "    car_share: 0\n"
                          "    occupancy: 1\n");
  CHECK_THAT(report, Contains("1 problem(s) in test.yaml"));
  CHECK_THAT(report, Contains("test.yaml:8: events[0].venue: venue off the "
                              "network: the nearest intersection (3) is"));
  CHECK_THAT(report, Contains("more than snap_m (300 m)"));
}

TEST_CASE("impossible schedules are refused", "[scenarios][scenario_file]") {
  SECTION("a window that ends before it starts") {
    auto report = refused(event("{from: \"19:30\", to: \"19:00\"}",
                                "{from: \"23:00\", to: \"23:30\"}"));
    CHECK_THAT(report, Contains("test.yaml:10: events[0].arrival.to: the "
                                "window ends at 19:00 (+1h), before it "
                                "starts at 19:30 (+1h30min)"));
  }
  SECTION("a window past the horizon") {
    // The horizon ends at 02:00; 03:00 is 9 h in.
    auto report = refused(event("{from: \"18:30\", to: \"19:00\"}",
                                "{from: \"23:00\", to: \"03:00\"}"));
    CHECK_THAT(report, Contains("test.yaml:11: events[0].departure.to: ends "
                                "at 03:00 (+9h), after the horizon ends at "
                                "02:00 (+8h)"));
  }
  SECTION("a departure before the arrival ends") {
    auto report = refused(event("{from: \"18:30\", to: \"21:00\"}",
                                "{from: \"20:00\", to: \"22:00\"}"));
    CHECK_THAT(report, Contains("test.yaml:11: events[0].departure: the "
                                "departure starts at 20:00 (+2h), before "
                                "the arrival ends at 21:00 (+3h)"));
  }
  SECTION("a horizon too short to empty the car parks") {
    // 200 cars at 400 veh/h need 30 min from 01:45: until 02:15.
    auto report = refused(event("{from: \"18:30\", to: \"19:00\"}",
                                "{from: \"01:45\", to: \"02:00\"}", parking));
    CHECK_THAT(report, Contains("test.yaml:11: events[0].departure: the "
                                "horizon ends at 02:00 (+8h), before the "
                                "parking areas can empty: 200 cars at 400 "
                                "veh/h leave until 02:15 (+8h15min)"));
  }
}

TEST_CASE("a closure that cuts the venue off is refused",
          "[scenarios][scenario_file]") {
  // Segments 14, 17, 38, 41 enter intersection 10, 15, 16, 39, 40 leave it.
  auto cut = [](const std::string& window) {
    return "closures:\n"                      // 16
           "  - segments: [14, 17, 38, 41]\n" // 17
           "    window: "
           + window
           + "\n"
             "  - segments: [15, 16, 39, 40]\n" // 19
             "    window: "
           + window + "\n";
  };
  auto events = event("{from: \"18:30\", to: \"19:00\"}",
                      "{from: \"23:00\", to: \"23:30\"}", parking);
  SECTION("during the event") {
    auto report = refused(events + cut("{from: \"22:00\", to: \"23:15\"}"));
    CHECK_THAT(report, Contains("test.yaml:8: events[0].venue: the venue "
                                "(intersection 10) is cut off from the "
                                "network at 23:00 (+5h) while closures[0], "
                                "closures[1] apply: only 1 of 16 "
                                "intersections can be reached from it"));
  }
  SECTION("only in the evening's gap, which is fine") {
    CHECK(read(events + cut("{from: \"20:00\", to: \"22:00\"}")));
  }
  SECTION("a car park cut off") {
    // Intersection 15 (the north-east corner) can only be entered from 14
    // and 11, by segments 22 and 46.
    auto report = refused(events
                          + "closures:\n"
                            "  - segments: [22, 46]\n"
                            "    window: {from: \"23:10\", to: \"23:20\"}\n");
    CHECK_THAT(report, Contains("test.yaml:15: events[0].parking[0]: parking "
                                "area 'P1' cannot be reached from the venue "
                                "at 23:10 (+5h10min) while closures[0] "
                                "apply"));
  }
}

TEST_CASE("closing every road segment is refused",
          "[scenarios][scenario_file]") {
  auto report = refused(head
                        + "closures:\n"
                          "  - name: \"Row 0\"\n"
                          "  - name: \"Row 1\"\n"
                          "  - name: \"Row 2\"\n"
                          "  - name: \"Row 3\"\n"
                          "  - {name: \"Col 0\", window: {from: \"+1h\"}}\n"
                          "  - {name: \"Col 1\"}\n"
                          "  - {name: \"Col 2\"}\n"
                          "  - {name: \"Col 3\"}\n");
  // The last one closes at +1h, on line 11.
  CHECK_THAT(report, Contains("test.yaml:11: closures[4]: every road segment "
                              "of the city is closed at 19:00 (+1h): nothing "
                              "can move"));
}

TEST_CASE("unknown references and values out of range are refused",
          "[scenarios][scenario_file]") {
  auto report = refused(head + R"(events:
  - name: show
    venue: {intersection: 99}
    attendees: 20000000
    departure: {from: "23:00", to: "23:30"}
    car_share: 1.5
    occupancy: 0.5
closures:
  - segment: 480
  - name: "Main Street"
lane_reductions:
  - segment: 24
    lanes: 1
signal_plans:
  - intersection: 6
    extend_green: {segment: 0, seconds: 10}
  - intersection: 5
    green_share: [{segment: 6, share: 0.7}, {segment: 0, share: 0.5}]
failures:
  - kind: street_lamp
    number: 7
  - entity: "urn:ngsi-ld:StreetLight:elsewhere:000000"
  - kind: waste_bin
    number: 0
)");
  CHECK_THAT(report, Contains("test.yaml:8: events[0].venue.intersection: "
                              "intersection 99 does not exist in city 'grid'"));
  CHECK_THAT(report, Contains("test.yaml:9: events[0].attendees: must be a "
                              "whole number in [1, 10000000], not 20000000"));
  CHECK_THAT(report, Contains("test.yaml:11: events[0].car_share: must be in "
                              "[0, 1], not 1.5"));
  CHECK_THAT(report, Contains("test.yaml:12: events[0].occupancy: must be in "
                              "[1, 10], not 0.5"));
  CHECK_THAT(report, Contains("test.yaml:14: closures[0].segment: road "
                              "segment 480 does not exist in city 'grid'"));
  CHECK_THAT(report, Contains("test.yaml:15: closures[1].name: no road "
                              "segment in city 'grid' is named 'Main "
                              "Street'"));
  // Column streets have one lane.
  CHECK_THAT(report, Contains("test.yaml:18: lane_reductions[0].lanes: 1 "
                              "lane(s) is no reduction: road segment(s) 24 "
                              "have no more lanes than that"));
  CHECK_THAT(report, Contains("test.yaml:20: signal_plans[0].intersection: "
                              "intersection 6 has no traffic signals"));
  CHECK_THAT(report, Contains("test.yaml:23: signal_plans[1].green_share[1]"
                              ".segment: road segment 0 does not enter "
                              "intersection 5"));
  CHECK_THAT(report, Contains("test.yaml:25: failures[0]: street_lamp 7 does "
                              "not exist in city 'grid'"));
  CHECK_THAT(report, Contains("test.yaml:27: failures[1].entity: "
                              "'urn:ngsi-ld:StreetLight:elsewhere:000000' is "
                              "an entity of city 'elsewhere', not of 'grid'"));
  CHECK_THAT(report, Contains("test.yaml:28: failures[2]: waste_bin 0 cannot "
                              "fail in a scenario"));
}

TEST_CASE("green shares may not exceed the cycle",
          "[scenarios][scenario_file]") {
  auto report = refused(head
                        + "signal_plans:\n"
                          "  - intersection: 5\n"
                          "    green_share:\n" // 8
                          "      - {segment: 6, share: 0.7}\n"
                          "      - {segment: 9, share: 0.5}\n");
  CHECK_THAT(report, Contains("test.yaml:9: signal_plans[0].green_share: the "
                              "green shares add up to 1.2, more than the "
                              "whole cycle (1)"));
}

TEST_CASE("more cars than parking spaces is a warning and not an error",
          "[scenarios][scenario_file]") {
  // 1000 * 0.3 / 1.5 = 200 cars, 150 spaces.
  auto result = read(event("{from: \"18:30\", to: \"19:00\"}",
                           "{from: \"23:00\", to: \"23:30\"}",
                           "    parking:\n"
                           "      - {name: P1, intersection: 15, spaces: 150,"
                           " exit_capacity_veh_h: 400}\n"));
  REQUIRE(result);
  REQUIRE(result->warnings.size() == 1);
  CHECK(result->warnings[0]
        == "test.yaml:7: events[0]: 200 cars (attendees x car_share / "
           "occupancy) but 150 parking spaces: 50 trips will be counted as "
           "unserved");
}

TEST_CASE("every problem of a scenario file is reported at once",
          "[scenarios][scenario_file]") {
  auto report = refused(R"(version: 2
name: "bad name!"
city: aarhus
start: "2026-06-13T25:00"
horizon: 3d
stepp: 1s
rerouting: {enabled: maybe}
background: {source: od_file}
)");
  CHECK_THAT(report, Contains("8 problem(s) in test.yaml"));
  CHECK_THAT(report, Contains("test.yaml:1: version: unsupported version 2"));
  CHECK_THAT(report, Contains("test.yaml:2: name: 'bad name!' is not a name"));
  CHECK_THAT(report, Contains("test.yaml:3: city: the scenario is for city "
                              "'aarhus', not for 'grid'"));
  CHECK_THAT(report, Contains("test.yaml:4: start: '2026-06-13T25:00' is not "
                              "a local date and time"));
  CHECK_THAT(report, Contains("test.yaml:5: horizon: is not a duration: '3d'"));
  CHECK_THAT(report, Contains("test.yaml:6: unknown key 'stepp'"));
  CHECK_THAT(report, Contains("test.yaml:7: rerouting.enabled: must be true "
                              "or false, not 'maybe'"));
  CHECK_THAT(report, Contains("test.yaml:8: background: source od_file needs "
                              "the key 'od_file'"));
}

TEST_CASE("typos and missing keys are errors and never ignored",
          "[scenarios][scenario_file]") {
  auto report = refused(head
                        + "events:\n"
                          "  - name: show\n"
                          "    venue: {intersection: 10}\n"
                          "    attendes: 1000\n"               // 9
                          "    departure: {from: \"23:00\"}\n" // 10
                          "    car_share: 0.3\n"
                          "    occupancy: 1.5\n");
  CHECK_THAT(report, Contains("test.yaml:9: events[0]: unknown key "
                              "'attendes' (allowed: name, venue, attendees,"));
  CHECK_THAT(report, Contains("test.yaml:7: events[0]: missing key "
                              "'attendees'"));
  CHECK_THAT(report, Contains("test.yaml:10: events[0].departure: missing "
                              "key 'to'"));
}

TEST_CASE("scenario file limits are enforced before reading entries",
          "[scenarios][scenario_file]") {
  SECTION("file size") {
    std::string text = head + "description: \""
                       + std::string(max_scenario_file_bytes, 'x') + "\"\n";
    auto report = refused(text);
    CHECK_THAT(report, Contains("a scenario file may have at most 1 MiB"));
  }
  SECTION("list length") {
    std::string text = head + "closures:\n";
    for (size_t i = 0; i <= max_scenario_list_entries; ++i)
      text += "  - {segment: 0}\n";
    auto report = refused(text);
    CHECK_THAT(report, Contains("test.yaml:7: closures: has 10001 entries, "
                                "at most 10000"));
    CHECK_THAT(report, Contains("1 problem(s)"));
  }
  SECTION("nesting depth") {
    auto report = refused(head + "description: " + std::string(40, '[')
                          + std::string(40, ']') + "\n");
    CHECK_THAT(report, Contains("test.yaml: nested 41 levels deep; a "
                                "scenario file needs at most 16"));
  }
  SECTION("a repeated key") {
    CHECK_THAT(refused(event("{from: \"18:30\", to: \"19:00\"}",
                             "{from: \"23:00\", to: \"23:30\"}")
                       + "    attendees: 1\n"),
               Contains("key 'attendees' repeats line 9"));
  }
}

TEST_CASE("malformed YAML is reported with its line",
          "[scenarios][scenario_file]") {
  auto report = refused(head + "events: [\n  - name: x\n");
  CHECK_THAT(report, Contains("YAML: "));
  auto not_a_map = refused("- 1\n- 2\n");
  CHECK_THAT(not_a_map, Contains("test.yaml:1: expected a map"));
}

TEST_CASE("two signal plans for one intersection may not overlap",
          "[scenarios][scenario_file]") {
  auto report = refused(head
                        + "signal_plans:\n"
                          "  - intersection: 5\n"
                          "    extend_green: {segment: 6, seconds: 10}\n"
                          "    window: {from: \"19:00\", to: \"20:00\"}\n"
                          "  - intersection: 5\n" // 10
                          "    cycle: 60s\n"
                          "    extend_green: {segment: 9, seconds: 30}\n"
                          "    window: {from: \"19:30\"}\n"
                          "  - intersection: 5\n" // 14
                          "    cycle: 60s\n"
                          "    extend_green: {segment: 9, seconds: 60}\n"
                          "    window: {from: \"22:00\"}\n");
  CHECK_THAT(report, Contains("test.yaml:10: signal_plans[1]: overlaps "
                              "signal_plans[0] at intersection 5"));
  // An empty list extends nothing.
  CHECK_THAT(refused(head
                     + "signal_plans:\n"
                       "  - {intersection: 5, extend_green: []}\n"),
             Contains("test.yaml:7: signal_plans[0].extend_green: must not "
                      "be empty"));
  // A 60 s extension does not fit into a 60 s cycle.
  CHECK_THAT(report, Contains("test.yaml:16: signal_plans[2].extend_green"
                              ".seconds: must be shorter than the cycle"));
}

TEST_CASE("a background od_file must exist", "[scenarios][scenario_file]") {
  auto report = refused(head
                        + "background:\n"
                          "  source: od_file\n"
                          "  od_file: no/such/matrix.tntp\n"); // 8
  CHECK_THAT(report, Contains("test.yaml:8: background.od_file: no such "
                              "file: 'no/such/matrix.tntp'"));
  // Relative to the scenario file; this test file is its own matrix.
  std::istringstream in{head
                        + "background: {source: od_file, od_file: "
                          "scenario_reader.cpp}\n"};
  auto result = read_scenario(in,
                              std::string{CITYTWIN_PROJECT_DATA}
                                  + "/../tests/scenarios/scenario_file/x.yaml",
                              test::grid_city());
  INFO((result ? "" : twin::describe(result.error())));
  REQUIRE(result);
  CHECK(result->background.source == background_source::od_file);
  CHECK_THAT(result->background.od_file, Contains("scenario_file/"
                                                  "scenario_reader.cpp"));
}
