// scenarios/run_file.hpp
#pragma once

#include "scenarios/recommended_actions.hpp"
#include "scenarios/run_summary.hpp"
#include "scenarios/scenario_file/scenario_spec.hpp"
#include "scenarios/scenario_setup.hpp"

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include <cstdint>
#include <vector>

#include <string>

namespace citytwin::scenarios {

/// Writes one run as an HDF5 file (layout: scenarios/README.md, "Run
/// files"): the scenario's identity as attributes, per-link series
/// [interval][link], one row per trip, the congestion episodes, the
/// recommended actions. Written
/// to `path.tmp` and renamed, so a reader never sees half a file.
caf::error write_run_file(const std::string& path, const scenario_spec& spec,
                          const scenario_setup& setup,
                          const dynamic::model_result& result,
                          const run_summary& summary,
                          const std::vector<recommended_action>& actions);

} // namespace citytwin::scenarios

namespace citytwin::scenarios {

/// What `scenario compare` reads back from a run file.
struct run_file_contents {
  std::string scenario, city;
  double horizon_s = 0, interval_s = 0;
  std::vector<std::string> groups;
  std::vector<uint16_t> trip_group;
  std::vector<uint8_t> trip_outcome;
  std::vector<double> inserted_s, arrived_s;
  std::vector<uint32_t> congested_segment;
  std::vector<double> congested_from_s, congested_to_s;
};

/// Reads a run file written by `write_run_file`; errc::corrupt_file if it
/// is not one (wrong format attribute, missing or mismatched datasets),
/// errc::io_failure if it cannot be opened. Refuses files of more than
/// `max_run_file_trips` trips before reading them.
caf::expected<run_file_contents> read_run_file(const std::string& path);

inline constexpr uint64_t max_run_file_trips = 50'000'000;

} // namespace citytwin::scenarios
