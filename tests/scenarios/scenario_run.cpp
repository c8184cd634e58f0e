// tests/scenarios/scenario_run.cpp
#include "scenarios/run_summary.hpp"
#include "scenarios/scenario_file/scenario_reader.hpp"
#include "scenarios/scenario_setup.hpp"
#include "scenarios/scenario_workers.hpp"
#include "scenarios/dynamic/run_serial.hpp"
#include "tests/test_data.hpp"
#include "tests/test_system.hpp"
#include "twin/city_file.hpp"

#include <catch2/catch.hpp>

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
  auto model = std::make_shared<dynamic::queue_model>(
    setup->net, setup->trips, setup->options);
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
