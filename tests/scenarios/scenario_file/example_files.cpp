// tests/scenarios/scenario_file/example_files.cpp: the example scenarios in
// data/scenarios/ are valid for the cities they name.
#include "scenarios/scenario_file/scenario_reader.hpp"

#include "skip.hpp"
#include "test_data.hpp"
#include "twin/city_file.hpp"
#include "twin/error.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

using namespace citytwin;
namespace fs = std::filesystem;

namespace {

// The value of a scenario file's top-level `city:` line.
std::string city_of(const fs::path& file) {
  std::ifstream in{file};
  std::string line;
  while (std::getline(in, line))
    if (line.starts_with("city: "))
      return line.substr(6);
  return {};
}

// The example scenarios for `city`, sorted by name.
std::vector<fs::path> examples_for(const std::string& city) {
  std::vector<fs::path> result;
  for (const auto& entry :
       fs::directory_iterator{test::project_data_dir() + "/scenarios"})
    if (entry.path().extension() == ".yaml" && city_of(entry.path()) == city)
      result.push_back(entry.path());
  std::sort(result.begin(), result.end());
  return result;
}

scenarios::scenario_spec load_example(const fs::path& file,
                                      const twin::city& c) {
  auto result = scenarios::load_scenario(file.string(), c);
  INFO(file.string() + ": "
       + (result ? std::string{"ok"} : twin::describe(result.error())));
  REQUIRE(result);
  return std::move(*result);
}

} // namespace

TEST_CASE("every example scenario of the demo town is valid",
          "[scenarios][scenario_file]") {
  auto demo = twin::load_city(test::project_data_dir() + "/demo.city");
  REQUIRE(demo);
  auto files = examples_for("demo");
  // The stadium concert, the street festival and the signal plans.
  CHECK(files.size() >= 3);
  for (const auto& file : files) {
    auto spec = load_example(file, *demo);
    INFO(file.string());
    CHECK(spec.warnings.empty());
  }
}

TEST_CASE("the stadium concert resolves as its comments say",
          "[scenarios][scenario_file]") {
  auto demo = twin::load_city(test::project_data_dir() + "/demo.city");
  REQUIRE(demo);
  auto spec = load_example(
      test::project_data_dir() + "/scenarios/stadium_concert.yaml", *demo);
  REQUIRE(spec.events.size() == 1);
  const auto& e = spec.events[0];
  // lon 10.2171, lat 56.1647 snaps to Street 12 / Avenue 17.
  CHECK(e.venue == 305);
  // 20,000 attendees, half by car, two to a car.
  CHECK(e.cars == 5000);
  CHECK(e.parking.size() == 4);
  // Doors at 17:30, half an hour after the 17:00 start; out at 23:00.
  CHECK(e.arrival == scenarios::time_window{1800, 10200});
  CHECK(e.departure == scenarios::time_window{21600, 24300});
  // The closure ends at 00:30 the next day: 7.5 h in.
  REQUIRE(spec.closures.size() == 1);
  CHECK(spec.closures[0].window == scenarios::time_window{20700, 27000});
}

TEST_CASE("the Bologna match scenario is valid on the acosta network",
          "[scenarios][scenario_file]") {
  test::require_path("/usr/share/sumo/tools/sumolib/scenario/scenarios/"
                     "RealWorld/acosta/acosta_buslanes.net.xml",
                     "apt-get install sumo-tools");
  auto bologna
      = twin::load_city(test::project_data_dir() + "/bologna-acosta.city");
  INFO((bologna ? "" : twin::describe(bologna.error())));
  REQUIRE(bologna);
  // SUMO's own counts for the acosta net (tests/twin/import).
  CHECK(bologna->roads.num_segments() == 179);
  auto files = examples_for("bologna");
  REQUIRE(files.size() >= 1);
  for (const auto& file : files) {
    auto spec = load_example(file, *bologna);
    INFO(file.string());
    CHECK(spec.warnings.empty());
  }
}
