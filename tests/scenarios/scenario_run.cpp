// tests/scenarios/scenario_run.cpp
#include "scenarios/recommended_actions.hpp"
#include "scenarios/run_file.hpp"
#include "scenarios/run_summary.hpp"
#include "scenarios/scenario_file/scenario_reader.hpp"
#include "scenarios/scenario_setup.hpp"
#include "scenarios/scenario_workers.hpp"
#include "scenarios/dynamic/run_serial.hpp"
#include "tests/scratch_folder.hpp"
#include "tests/test_data.hpp"
#include "tests/test_system.hpp"
#include "twin/city_file.hpp"
#include "twin/error.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <future>
#include <sstream>

using namespace citytwin;
using namespace citytwin::scenarios;

namespace {

twin::city demo_city() {
  auto city = twin::load_city(test::project_data_dir() + "/demo.city");
  REQUIRE(city);
  return std::move(*city);
}

} // namespace

TEST_CASE("scenario workers give the serial result",
          "[scenarios][scenario_run]") {
  auto city = demo_city();
  std::istringstream in{R"(version: 1
name: workers-check
city: demo
start: "2026-12-05T22:00"
horizon: 1h
seed: 9
rerouting: {enabled: true, period: 120s}
background: {level: 0.5}
)"};
  auto spec = read_scenario(in, "inline.yaml", city);
  REQUIRE(spec);
  auto setup = make_setup(*spec, city, 2);
  REQUIRE(setup);
  REQUIRE(setup->trips.trips.size() > 100);
  dynamic::queue_model serial(setup->net, setup->trips, setup->options);
  auto expected = dynamic::run_serial(serial);
  test::test_system ts;
  auto model = make_model(*setup);
  std::promise<dynamic::model_result> done;
  run_hooks hooks;
  hooks.done = [&](dynamic::model_result r) { done.set_value(std::move(r)); };
  start_scenario_run(*ts.sys, model, std::move(hooks));
  auto got = done.get_future().get();
  REQUIRE(got.counts.arrived == expected.counts.arrived);
  CHECK(got.counts.steps == expected.counts.steps);
  for (size_t i = 0; i < got.trips.size(); ++i)
    CHECK(got.trips[i].arrived_s == expected.trips[i].arrived_s);
}

namespace {

/// A small evening event in the demo town, run serially.
struct small_event_run {
  twin::city city = demo_city();
  scenario_spec spec;
  scenario_setup setup;
  dynamic::model_result result;
  run_summary summary;
  std::vector<recommended_action> actions;

  explicit small_event_run(const std::string& extra = {}) {
    std::istringstream in{R"(version: 1
name: small-event
city: demo
start: "2026-12-05T21:00"
horizon: 3h
seed: 5
rerouting: {enabled: true, period: 2min}
background: {level: 0.3}
events:
  - name: concert
    venue: {intersection: 305}
    attendees: 3000
    departure: {from: "21:30", to: "21:45"}
    car_share: 0.5
    occupancy: 1.5
    parking:
      - {name: P1, intersection: 300, spaces: 600, exit_capacity_veh_h: 300}
      - {name: P2, intersection: 310, spaces: 600, exit_capacity_veh_h: 300}
)" + extra};
    auto parsed = read_scenario(in, "small.yaml", city);
    REQUIRE(parsed);
    spec = std::move(*parsed);
    auto made = make_setup(spec, city, 2);
    REQUIRE(made);
    setup = std::move(*made);
    result = dynamic::run_serial(*make_model(setup));
    summary = summarize(setup.net, setup.trips, result);
    actions = recommend_actions(spec, setup, result, summary, city);
  }
};

} // namespace

TEST_CASE("a run file reads back what the run wrote",
          "[scenarios][scenario_run]") {
  small_event_run run;
  test::scratch_folder dir{"scenario", "run_file"};
  auto path = (dir.path / "small.run.h5").string();
  REQUIRE_FALSE(write_run_file(path, run.spec, run.setup, run.result,
                               run.summary, run.actions));
  auto back = read_run_file(path);
  REQUIRE(back);
  CHECK(back->scenario == "small-event");
  CHECK(back->groups == run.setup.trips.group_names);
  REQUIRE(back->trip_group.size() == run.result.trips.size());
  for (size_t i = 0; i < back->trip_group.size(); ++i)
    CHECK(back->arrived_s[i] == run.result.trips[i].arrived_s);
  CHECK(back->congested_segment.size() == run.summary.congestion.size());
  // A file that is not a run file is refused with the reason.
  auto junk = (dir.path / "junk.run.h5").string();
  std::ofstream{junk} << "not hdf5";
  auto refused = read_run_file(junk);
  REQUIRE_FALSE(refused);
  CHECK(refused.error() == twin::errc::corrupt_file);
}

TEST_CASE("the access route never loops and never takes a closed road",
          "[scenarios][scenario_run]") {
  auto access_of = [](const small_event_run& run) {
    for (const auto& a : run.actions)
      if (a.kind == "keep_access_free")
        return a.segments;
    FAIL("no keep_access_free action");
    return std::vector<uint32_t>{};
  };
  small_event_run open;
  auto route = access_of(open);
  REQUIRE(route.size() >= 2);
  // Close the road the route enters the venue by, for the whole evening.
  auto last = route.back();
  small_event_run closed{"closures:\n  - {segment: " + std::to_string(last)
                         + ", window: {from: \"21:00\", to: \"23:59\"}}\n"};
  auto detour = access_of(closed);
  REQUIRE_FALSE(detour.empty());
  CHECK(std::find(detour.begin(), detour.end(), last) == detour.end());
  auto sorted = detour;
  std::sort(sorted.begin(), sorted.end());
  CHECK(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end());
}

TEST_CASE("an evening event gets an access route and egress lighting",
          "[scenarios][scenario_run]") {
  small_event_run run;
  // 1000 cars leaving two car parks at 300 veh/h each: about 100 min.
  REQUIRE(run.setup.trips.group_names.size() == 2);
  bool access = false, lighting = false, advice = false;
  for (const auto& a : run.actions) {
    if (a.kind == "keep_access_free") {
      access = true;
      CHECK(a.priority == 1);
      CHECK(a.intersection == 305);
      REQUIRE_FALSE(a.segments.empty());
      // The last road of the route enters the venue.
      auto* last = run.city.roads.find_segment(a.segments.back());
      REQUIRE(last);
      CHECK(last->to == 305);
      CHECK(std::find(a.audiences.begin(), a.audiences.end(),
                      audience::ambulance)
            != a.audiences.end());
    }
    if (a.kind == "brighten_lighting")
      lighting = true; // 21:30 in December in Aarhus is dark
    if (a.kind == "visitor_advice") {
      advice = true;
      CHECK(a.audiences == std::vector<audience>{audience::visitors});
    }
    CHECK_FALSE(a.reason.empty());
  }
  CHECK(access);
  CHECK(lighting);
  CHECK(advice);
}

TEST_CASE("applied actions change the network in their windows",
          "[scenarios][scenario_run]") {
  small_event_run run;
  auto setup = run.setup;
  recommended_action green;
  green.kind = "extend_green";
  // A signalised approach of the venue's junction.
  uint32_t link = dynamic::none;
  for (uint32_t l = 0; l < setup.net.num_links(); ++l)
    if (setup.net.gate[l] != dynamic::none) {
      link = l;
      break;
    }
  REQUIRE(link != dynamic::none);
  green.segments = {setup.net.segment[link]};
  green.from_s = 600;
  green.to_s = 1200;
  recommended_action divert;
  divert.kind = "reroute";
  divert.segments = {setup.net.segment[0], setup.net.segment[1]};
  divert.from_s = 0;
  divert.to_s = 3600;
  recommended_action advice;
  advice.kind = "visitor_advice"; // changes nothing on the road
  auto before = setup.net.green_share(setup.net.gate[link]);
  auto edits = action_edits({green, divert, advice}, setup);
  REQUIRE(edits.size() == 4);
  CHECK(edits[0].at_s == 600);
  CHECK(setup.net.green_share(edits[0].gate)
        == Approx(std::min(0.9, before + 15.0 / 90)));
  CHECK(edits[1].gate == setup.net.gate[link]); // restored at 1200
  CHECK(edits[2].closed == true);
  CHECK(edits[3].closed == false);
  // Closed for the first hour: nobody uses segment 0 then.
  auto result = dynamic::run_serial(*make_model(setup, edits));
  const auto& s = result.links;
  for (size_t k = 0; k + 1 < 3600 / s.interval_s; ++k)
    CHECK(s.flow_veh_h[k * s.num_links + 0] == 0);
}
