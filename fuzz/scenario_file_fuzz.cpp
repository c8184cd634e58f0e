// fuzz/scenario_file_fuzz.cpp: a what-if scenario file (scenarios/
// scenario_file, format data/scenarios/README.md) as a planner sends it
// to a server (POST /api/scenarios): read and checked against the demo
// city, files not allowed. Whatever the text, the answer is a scenario or
// a list of problems, never a crash; an accepted scenario is within the
// limits the simulator relies on.
#include "fuzz_input.hpp"
#include "scenarios/scenario_file/scenario_reader.hpp"
#include "twin/city_file.hpp"

#include <cstdlib>
#include <sstream>

using namespace citytwin;

namespace {

const twin::city& demo_city() {
  static auto city = [] {
    auto c = twin::load_city(std::string{CITYTWIN_SOURCE_DIR}
                             + "/data/demo.city");
    if (!c)
      std::abort(); // the harness needs the demo city
    return std::move(*c);
  }();
  return city;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::istringstream in{std::string{fuzz::as_text(data, size)}};
  auto spec = scenarios::read_scenario(in, "fuzz.yaml", demo_city(), false);
  if (!spec)
    return 0;
  if (spec->horizon_s < 60 || spec->horizon_s > 172800
      || !spec->background.od_file.empty())
    std::abort();
  for (const auto& e : spec->events)
    if (demo_city().roads.find_intersection(e.venue) == nullptr)
      std::abort(); // a venue is always a real intersection
  return 0;
}
