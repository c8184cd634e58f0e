// scenarios/concert_check.hpp
#pragma once

// The concert-egress experiment of notes/simulation.md §6.3, run through
// our model and through `sumo --mesosim --meso-junction-control` with
// rerouting every 120 s, on the same trips: background and event demand
// generated once (seeded) on SUMO's Berlin-Adlershof network, written as
// a SUMO route file and fed to both. Compared on the event trips' mean
// duration and the completed trips.

#include <caf/expected.hpp>

#include <cstdint>
#include <string>

namespace citytwin::scenarios {

struct concert_check_options {
  std::string net = "/usr/share/sumo/tools/game/DRT/osm.net.xml";
  std::string sumo_binary = "/usr/bin/sumo";
  /// As in sumo_check: SUMO meso's own discharge, not HCM's.
  double saturation_veh_h_lane = 2100;
  uint32_t partitions = 1;
  uint64_t seed = 7;
  uint32_t background_trips = 1849; ///< over [0, 5400) s
  uint32_t event_trips = 4500;      ///< over [1800, 3600) s
  double end_s = 10800;
  double reroute_period_s = 120;
  bool run_sumo = true;
  /// Where the route file and SUMO's output go; empty: a temporary folder
  /// removed afterwards.
  std::string work_dir;
};

/// One model's outcome for one group of trips.
struct concert_group {
  uint64_t done = 0;
  double mean_s = 0;
};

struct concert_check_result {
  /// Trips generated, and of them dropped because duarouter found no
  /// route (as randomTrips --validate does) or our network has none.
  uint64_t generated = 0, dropped_sumo = 0, dropped_ours = 0;
  /// Trips fed to both models.
  uint64_t background_loaded = 0, event_loaded = 0;
  concert_group ours_background, ours_event;
  concert_group sumo_background, sumo_event;
  /// Event trips both models completed, and their mean durations.
  uint64_t common_event = 0;
  double ours_common_mean_s = 0, sumo_common_mean_s = 0;
  uint64_t ours_unroutable = 0;
  uint64_t ours_teleports = 0;
  /// Ours: reading the network and simulating; SUMO: its whole run.
  double ours_cpu_s = 0, sumo_cpu_s = 0;
};

/// True if the network and the SUMO binary are installed.
bool concert_check_available(const concert_check_options& opts);

/// Generates the trips, writes them as a SUMO route file and runs both.
/// Errors: missing files, a SUMO run that fails.
caf::expected<concert_check_result>
check_concert_egress(const concert_check_options& opts);

} // namespace citytwin::scenarios
