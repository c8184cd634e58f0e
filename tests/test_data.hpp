// tests/test_data.hpp
#pragma once

#include "twin/city.hpp"
#include "twin/city_generator.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>

namespace citytwin::test {

/// Where the project's own data lives (data/), set by CMake.
inline std::string project_data_dir() {
  return CITYTWIN_PROJECT_DATA;
}

/// Where ../shared/data lives: `$CITYTWIN_SHARED_DATA` if set, else the
/// path CMake found. Tests that need it skip (tests/skip.hpp) when it is
/// absent.
inline std::string shared_data_dir() {
  if (const char* env = std::getenv("CITYTWIN_SHARED_DATA"); env && *env)
    return env;
  return CITYTWIN_SHARED_DATA;
}

/// How to get the shared data, for the skip message.
constexpr const char* shared_data_hint
    = "put ../shared/data beside the checkout or set CITYTWIN_SHARED_DATA";

/// A small generated town for actor tests: 2x2 blocks and a few things.
inline twin::city small_city(uint64_t seed = 7) {
  twin::generator_options opts;
  opts.name = "test";
  opts.seed = seed;
  opts.segments = 24;
  opts.lamps = 10;
  opts.bins = 5;
  opts.sensors = 10;
  return *twin::generate_city(opts);
}

/// The first signalised intersection of `c` and its number of phases;
/// 0 phases if there is none.
inline std::pair<twin::entity_id, uint8_t> first_signalised(const twin::city& c) {
  std::pair<twin::entity_id, uint8_t> result{{}, 0};
  twin::for_each_initial_state(c, [&](const twin::entity_state& st) {
    if (result.second == 0 && st.id.kind == twin::entity_kind::intersection
        && st.as<twin::intersection_state>().num_phases > 0)
      result = {st.id, st.as<twin::intersection_state>().num_phases};
  });
  return result;
}

} // namespace citytwin::test
