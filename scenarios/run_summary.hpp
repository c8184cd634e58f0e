// scenarios/run_summary.hpp
#pragma once

#include "scenarios/dynamic/demand.hpp"
#include "scenarios/dynamic/model_run.hpp"
#include "scenarios/dynamic/road_network.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace citytwin::scenarios {

/// A road that congested: from the first to the end of the last of
/// consecutive output intervals in which its speed fell below
/// `congested_speed_share` of its usual speed (free flow plus the mean red
/// wait of its signal), or a queue filled half of it.
struct congestion_episode {
  uint32_t segment = 0;
  double from_s = 0;
  double to_s = 0;
  float max_queue_veh = 0;
  float min_speed_km_h = 0;
};

inline constexpr double congested_speed_share = 0.5;

/// Trip durations of one group (background, or one event).
struct group_summary {
  std::string name;
  uint64_t trips = 0, arrived = 0, en_route = 0, waiting = 0, unroutable = 0;
  double mean_s = 0, p50_s = 0, p95_s = 0, max_s = 0;
  double mean_delay_s = 0; ///< insertion minus planned departure
  double last_arrival_s = -1; ///< for an event: when it has cleared
};

struct run_summary {
  std::vector<group_summary> groups;
  std::vector<congestion_episode> congestion; ///< longest first
  dynamic::run_counts counts;
};

run_summary summarize(const dynamic::road_network& net,
                      const dynamic::demand& trips,
                      const dynamic::model_result& result);

} // namespace citytwin::scenarios
