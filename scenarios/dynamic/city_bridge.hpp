// scenarios/dynamic/city_bridge.hpp
#pragma once

#include "scenarios/dynamic/road_network.hpp"
#include "twin/city_graph.hpp"

namespace citytwin::scenarios::dynamic {

/// How the twin's road graph becomes a dynamic-model network.
struct city_bridge_options {
  /// Discharge of one lane in green, veh/h.
  double saturation_veh_h_lane = 1800;
  /// Fixed-time plan given to signalised intersections that carry no
  /// program of their own (generated cities): two stages, the approaches
  /// split by heading (north-south against east-west).
  double cycle_s = 90;
  double lost_time_s = 6; ///< per cycle, split over the two stages
};

/// One link per segment (link i = i-th segment in insertion order, see
/// `segment`). Signalised intersections (phases > 0) gate their entering
/// links with a two-stage plan; a link then discharges at lanes x
/// saturation while green. Unsignalised links discharge at the segment's
/// capacity.
road_network make_road_network(const twin::city_graph& graph,
                               const city_bridge_options& opts = {});

} // namespace citytwin::scenarios::dynamic
