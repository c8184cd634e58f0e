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
  /// Per zone pair (`fit_od_to_counters`): the pairs whose path crosses a
  /// counted link, each with its own factor, and the error of the one
  /// factor alone for comparison.
  uint32_t pairs_fitted = 0;
  double rmse_one_factor_veh_h = 0;
};

/// An OD matrix calibrated to the counters: veh/s per zone pair.
struct od_fit {
  counter_fit summary;
  std::vector<double> rate_veh_s; ///< same order as the pairs given
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

/// Calibrates the background OD matrix to the measured flows: first one
/// factor (`fit_to_counters`), then each zone pair on its own by the
/// multiplicative (EM) update for counts, x <- x * mean over its counted
/// links of measured / modelled, for `iterations` rounds on the free-flow
/// all-or-nothing paths. Each pair stays within [1/max_factor,
/// max_factor] of its one-factor rate (few counters cannot make a pair
/// vanish or explode); pairs that cross no counted link keep it.
od_fit fit_od_to_counters(
  const dynamic::road_network& net,
  const std::vector<std::tuple<uint32_t, uint32_t, double>>& pairs,
  const std::vector<double>& measured, uint32_t iterations = 50,
  double max_factor = 10);

} // namespace citytwin::scenarios
