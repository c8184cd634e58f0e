// scenarios/sumo_check.hpp
#pragma once

// The dynamic model against SUMO on SUMO's own Bologna scenarios (Debian
// sumo-tools, notes/simulation.md §6): the same network, signal programs
// and routes, run through our model and through `sumo --mesosim
// --meso-junction-control` in the same process run, compared on completed
// vehicles, mean trip duration and CPU time.

#include <caf/expected.hpp>

#include <cstdint>
#include <string>

namespace citytwin::scenarios {

struct sumo_check_options {
  std::string scenario = "acosta"; ///< acosta or joined
  /// Where SUMO's RealWorld scenarios live (Debian's sumo-tools).
  std::string sumo_dir
    = "/usr/share/sumo/tools/sumolib/scenario/scenarios/RealWorld";
  std::string sumo_binary = "/usr/bin/sumo";
  double saturation_veh_h_lane = 2100; ///< see sumo_check.cpp
  uint32_t partitions = 1;
  bool run_sumo = true;
  /// Only for the concert check (`scenario sumo-check concert --keep`).
  std::string work_dir;
  uint32_t concert_background_trips = 1849;
  uint32_t concert_event_trips = 4500;
};

struct sumo_check_result {
  std::string scenario;
  uint64_t loaded = 0;
  uint64_t ours_done = 0, sumo_done = 0;
  double ours_mean_s = 0, sumo_mean_s = 0;
  /// User + system CPU seconds, reading the files included (as SUMO's).
  double ours_cpu_s = 0, sumo_cpu_s = 0;
  double ours_sim_cpu_s = 0; ///< of ours: the simulation alone
  uint64_t ours_teleports = 0;
};

/// True if the SUMO scenario files and binary are installed.
bool sumo_scenario_available(const sumo_check_options& opts);

/// Runs both models. Errors: missing files, a SUMO run that fails.
caf::expected<sumo_check_result> check_against_sumo(
  const sumo_check_options& opts);

} // namespace citytwin::scenarios
