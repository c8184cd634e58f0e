// scenarios/live_conditions.hpp
#pragma once

#include "actors/fork.hpp"
#include "scenarios/dynamic/road_network.hpp"
#include "twin/city.hpp"

#include <caf/expected.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace citytwin::scenarios {

/// What a fork of the live twin brings into a what-if run: the measured
/// traffic per road segment (flow and speed: the background is fitted to
/// the flows, and the vehicles on each road at the fork start the run)
/// and how each signal is operated right now.
/// Plain data, read from the forked entity states (actors/fork.hpp).
struct live_conditions {
  std::string city;
  twin::time_ms as_of = 0; ///< the newest reading in the fork

  /// A flow measured on a road segment: by the segment itself or by a
  /// traffic counter placed beside it (the counter wins: it counts).
  struct measured_flow {
    uint32_t segment = 0;
    double flow_veh_h = 0;
    /// The segment's measured mean speed; negative: not measured.
    double speed_km_h = -1;
  };
  std::vector<measured_flow> flows;

  /// A signal that is not running the city's own plan.
  struct signal_override {
    uint32_t intersection = 0;
    twin::signal_mode mode = twin::signal_mode::normal;
    /// Green seconds per phase of a commanded plan; all 0: its own plan.
    std::array<uint16_t, twin::max_plan_phases> green_s{};
    uint8_t num_phases = 0;
  };
  std::vector<signal_override> signals;

  uint64_t segments_forked = 0;
  uint64_t intersections_forked = 0;
  uint64_t counters_forked = 0;
};

/// The entity kinds a what-if run forks (a `subscription_filter` mask):
/// road segments, intersections and traffic counters.
uint32_t live_fork_kinds();

/// Reads a fork of the twin of `city`. Errors: the fork is of another
/// city (errc::invalid_argument).
caf::expected<live_conditions> read_fork(const actors::twin_fork& fork,
                                         const twin::city& city);

/// How the background demand was fitted to the measured flows.
struct counter_fit {
  double factor = 1;      ///< multiplies the level-1 background demand
  uint32_t counted = 0;   ///< links with a measured flow the demand uses
  double observed_veh_h = 0; ///< sum of the measured flows on them
  double modelled_veh_h = 0; ///< sum of the fitted model flows on them
  /// Root mean square of (model - measured) over the counted links.
  double rmse_veh_h = 0;
};

/// Fits one factor to a background demand so that its free-flow
/// all-or-nothing flows match the measured flows in the least-squares
/// sense. `pairs` are (origin node, destination node, veh/s at level 1);
/// `measured` is veh/h per link, negative where nothing was measured.
/// Without a usable measurement the factor stays 1 and `counted` is 0.
counter_fit
fit_to_counters(const dynamic::road_network& net,
                const std::vector<std::tuple<uint32_t, uint32_t, double>>& pairs,
                const std::vector<double>& measured);

} // namespace citytwin::scenarios
