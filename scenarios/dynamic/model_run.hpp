// scenarios/dynamic/model_run.hpp
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace citytwin::scenarios::dynamic {

/// How a run proceeds. Everything that changes the answer is here, so a
/// run is reproducible from its options, network and demand.
struct model_options {
  double step_s = 1;
  double horizon_s = 3600;
  /// En-route rerouting: every period, fastest-path trees are recomputed
  /// on current link times and rerouting vehicles follow them (notes §6.3:
  /// the most important behavioural knob). 0 = routes stay as given.
  double reroute_period_s = 120;
  /// Share of explicitly routed trips that reroute (drawn per trip).
  double reroute_share = 1.0;
  /// A head vehicle blocked this long is moved on regardless of space, as
  /// SUMO's time-to-teleport (300 s) does; counted as a teleport.
  double stuck_limit_s = 300;
  double output_interval_s = 300;
  uint64_t seed = 1;
  uint32_t num_partitions = 1;
};

/// What happened to one trip.
enum class trip_outcome : uint8_t {
  arrived,
  en_route,   ///< still driving at the horizon
  waiting,    ///< never got onto the network before the horizon
  unroutable, ///< no path from origin to destination
};

struct trip_record {
  double inserted_s = -1; ///< when it entered the network
  double arrived_s = -1;
  float route_length_m = 0;
  uint16_t teleports = 0;
  trip_outcome outcome = trip_outcome::waiting;

  double duration_s() const {
    return arrived_s - inserted_s;
  }
};

/// Per link and output interval, row-major [interval][link].
struct link_series {
  uint32_t num_links = 0;
  double interval_s = 0;
  std::vector<float> flow_veh_h;   ///< vehicles leaving the link per hour
  std::vector<float> speed_km_h;   ///< length / mean traversal time
  std::vector<float> density_veh_km; ///< per lane, time-averaged
  std::vector<float> queue_veh;    ///< waiting at the end at interval end

  size_t num_intervals() const {
    return num_links == 0 ? 0 : flow_veh_h.size() / num_links;
  }
};

/// Counts a run reports; every trip is in exactly one outcome.
struct run_counts {
  uint64_t trips = 0;
  uint64_t arrived = 0;
  uint64_t en_route = 0;
  uint64_t waiting = 0;
  uint64_t unroutable = 0;
  uint64_t teleports = 0;
  uint64_t reroutes = 0;     ///< tree recomputations
  uint64_t steps = 0;
};

struct model_result {
  std::vector<trip_record> trips; ///< in demand order
  link_series links;
  run_counts counts;
  double simulated_s = 0; ///< time of the last step
};

} // namespace citytwin::scenarios::dynamic
